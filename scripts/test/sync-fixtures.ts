import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { IoTClient, ListThingGroupsForThingCommand, paginateListThings } from '@aws-sdk/client-iot';
import { GetThingShadowCommand, IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { asService } from '@/lib/db';
import { integrationClients } from '@/features/integrations/runtime/clients';
import type { SyncDeps, SyncTuning } from '@/features/sync/engine';
import { credentialsHint, encryptCredentials } from '@/lib/vault';
import { DEMO_REGION, type SimCredentials } from '../sim/config';
import type { RunningSimulator } from '../sim/server';
import { adminSql, silentLog, testKeyring, uniqueSuffix } from './fixtures';

/**
 * Helpers for sync tests: integrations that point at an in-process simulator, engine dependencies
 * on the simulator's (frozen) clock, and an oracle that reads the simulated fleet through other
 * API calls than the engine uses, so a shared mistake cannot make both sides agree.
 */

export interface SimIntegration {
  id: string;
  orgId: string;
}

export async function createSimIntegration(
  org: { id: string },
  sim: RunningSimulator,
  options: { credentials: SimCredentials; budget?: number; interval?: number; name?: string; status?: 'pending' | 'active' },
): Promise<SimIntegration> {
  const id = randomUUID();
  const { accessKeyId, secretAccessKey } = options.credentials;
  const token = encryptCredentials(testKeyring(), { orgId: org.id, integrationId: id }, { accessKeyId, secretAccessKey });
  await adminSql()`
    insert into public.integrations (id, org_id, name, region, auth_type, credentials, credentials_hint, custom_endpoint,
                                     sync_budget, sync_interval_seconds, status)
    values (${id}, ${org.id}, ${options.name ?? `sim-${uniqueSuffix()}`}, ${DEMO_REGION}, 'access_keys', ${token},
            ${credentialsHint(options.credentials.accessKeyId)}, ${sim.url}, ${options.budget ?? 1}, ${options.interval ?? 300},
            ${options.status ?? 'active'})`;
  return { id, orgId: org.id };
}

/** A fresh simulator key (AKIA + 16) for one account, so a test can revoke it without touching others. */
export function newSimKey(sim: RunningSimulator, accountId: string): SimCredentials {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const key = { accessKeyId: `AKIA${suffix}`, secretAccessKey: `Test+Secret+${randomUUID()}`.slice(0, 40).padEnd(40, 'x') };
  sim.control.putKey({ ...key, accountId, userName: `test-${suffix.toLowerCase()}`, actions: ['*'] });
  return key;
}

/** Engine dependencies for tests: service-role database, simulator clock, fast back-off. */
export function simSyncDeps(sim: RunningSimulator, overrides: Partial<SyncDeps> & { tuning?: Partial<SyncTuning> } = {}): SyncDeps {
  return {
    db: asService,
    clients: integrationClients(testKeyring(), {}),
    log: process.env.SYNC_TEST_LOG ? pino({ level: process.env.SYNC_TEST_LOG }) : silentLog,
    now: () => sim.control.now(),
    workerId: 'test',
    ...overrides,
    tuning: { retry: { baseDelayMs: 5, maxDelayMs: 50 }, heartbeatMs: 500, ...overrides.tuning },
  };
}

export interface ExpectedThing {
  thingType: string | null;
  attributes: Record<string, string>;
  groups: string[];
  shadowVersion: number | null;
  reported: Record<string, unknown> | null;
}

/** The fleet as AWS reports it: ListThings, ListThingGroupsForThing and GetThingShadow per thing. */
export async function readFleet(sim: RunningSimulator, credentials: SimCredentials): Promise<Map<string, ExpectedThing>> {
  // A copy: the SDK annotates the credentials object it is given.
  const config = { endpoint: sim.url, region: DEMO_REGION, credentials: { ...credentials } };
  const iot = new IoTClient(config);
  const data = new IoTDataPlaneClient(config);
  const fleet = new Map<string, ExpectedThing>();
  try {
    for await (const page of paginateListThings({ client: iot, pageSize: 250 }, {})) {
      for (const t of page.things ?? []) {
        const groups = await iot.send(new ListThingGroupsForThingCommand({ thingName: t.thingName! }));
        const shadow = await data.send(new GetThingShadowCommand({ thingName: t.thingName! }));
        const doc = JSON.parse(new TextDecoder().decode(shadow.payload)) as { version: number; state: { reported?: Record<string, unknown> } };
        fleet.set(t.thingName!, {
          thingType: t.thingTypeName ?? null,
          attributes: t.attributes ?? {},
          groups: (groups.thingGroups ?? []).map((g) => g.groupName!).sort(),
          shadowVersion: doc.version,
          reported: doc.state.reported ?? null,
        });
      }
    }
  } finally {
    iot.destroy();
    data.destroy();
  }
  return fleet;
}

export interface DeviceRecord {
  thing_name: string;
  thing_type: string | null;
  attributes: Record<string, string>;
  groups: string[];
  status: string;
  connected: boolean | null;
  last_seen_at: Date | null;
  connectivity_changed_at: Date | null;
  firmware_version: string | null;
  battery: number | null;
  rssi: number | null;
  temperature: number | null;
  shadow: { reported: Record<string, unknown> | null; desired: unknown; delta: unknown; metadata: unknown } | null;
  shadow_version: string | null;
  named_shadows: Record<string, unknown> | null;
  registry_version: string | null;
  disconnect_reason: string | null;
  removed_at: Date | null;
}

export async function devicesOf(integrationId: string): Promise<Map<string, DeviceRecord>> {
  const rows = await adminSql()<DeviceRecord[]>`
    select thing_name, thing_type, attributes, groups, status, connected, last_seen_at, connectivity_changed_at, firmware_version, battery, rssi,
           temperature, shadow, shadow_version, named_shadows, registry_version, disconnect_reason, removed_at
    from public.devices where integration_id = ${integrationId} order by thing_name`;
  return new Map(rows.map((r) => [r.thing_name, r]));
}

/** Asserts-by-diff: the names whose cached registry or shadow differs from AWS (empty when exact). */
export function fleetDifferences(expected: Map<string, ExpectedThing>, devices: Map<string, DeviceRecord>): string[] {
  const diffs: string[] = [];
  for (const [name, e] of expected) {
    const d = devices.get(name);
    if (!d || d.removed_at) {
      diffs.push(`${name}: missing`);
      continue;
    }
    const actual = {
      thingType: d.thing_type,
      attributes: d.attributes,
      groups: d.groups,
      shadowVersion: d.shadow_version === null ? null : Number(d.shadow_version),
      reported: d.shadow?.reported ?? null,
    };
    if (JSON.stringify(sortKeys(actual)) !== JSON.stringify(sortKeys(e))) diffs.push(`${name}: ${JSON.stringify(actual)} != ${JSON.stringify(e)}`);
  }
  for (const [name, d] of devices) if (!d.removed_at && !expected.has(name)) diffs.push(`${name}: not in AWS`);
  return diffs;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** Wraps the clients factory so a test can act on each successful AWS response (e.g. inject a fault half-way). */
export function clientsWithHook(onResponse: (command: string) => void): SyncDeps['clients'] {
  const base = integrationClients(testKeyring(), {});
  return (integration) => {
    const clients = base(integration);
    for (const client of [clients.iot, clients.iotData] as { middlewareStack: { add: (...args: never[]) => void } }[]) {
      const hook = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const result = await next(args);
        onResponse(String(context.commandName ?? '').replace(/Command$/, ''));
        return result;
      };
      client.middlewareStack.add(hook as never, { step: 'deserialize', name: 'testResponseHook' } as never);
    }
    return clients;
  };
}

/** Polls until `check` returns a value (no fixed sleeps). */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
