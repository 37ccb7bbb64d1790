import { GetThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { asService } from '@/lib/db';
import { CommandTracker, type OpenCommand } from '@/features/sync/commands';
import type { Connectivity, JsonObject, ObservedThing, ShadowState } from '@/features/sync/model';
import { loadIntegration, type Db } from '@/features/sync/runs';
import { shadowDocumentSchema } from '@/features/sync/schemas';
import { DeviceWriter, groupsKey, type CachedDevice } from '@/features/sync/writer';
import { awsFailure, openClients, type AwsDeps } from './aws';

/**
 * The device page's refresh while a command is open: one GetThingShadow for the device (plus the
 * named shadows its open commands wrote to), applied through the sync's own writer and command
 * resolution, so a refreshed row is exactly what the next sync would write. Throttled per device
 * in the database (shadow_refreshed_at), so any number of open pages stays within the budget.
 */
export const REFRESH_MIN_INTERVAL_SECONDS = 3;

export interface RefreshDeps extends AwsDeps {
  /** AWS's clock for device status (epoch ms); the simulator's in tests. */
  now?: () => number;
  /** Wall clock for command timeouts. */
  wallNow?: () => number;
}

export type RefreshResult =
  | { state: 'refreshed'; commandsResolved: number }
  | { state: 'throttled' }
  | { state: 'skipped'; reason: string }
  | { state: 'failed'; message: string };

interface ClaimedRow {
  id: string;
  integration_id: string;
  thing_name: string;
  thing_type: string | null;
  attributes: Record<string, string>;
  groups: string[];
  registry_version: string | null;
  connected: boolean | null;
  connectivity_changed_at: Date | null;
  disconnect_reason: string | null;
  named_shadows: Record<string, ShadowState> | null;
  sync_hash: string;
  shadow_version: string | null;
}

/** Takes the device's refresh slot; null when another refresh happened within the interval. */
async function claim(db: Db, orgId: string, deviceId: string): Promise<ClaimedRow | null> {
  const rows = await db((tx) => tx<ClaimedRow[]>`
    update public.devices set shadow_refreshed_at = now()
    where id = ${deviceId} and org_id = ${orgId} and removed_at is null
      and (shadow_refreshed_at is null or shadow_refreshed_at < now() - make_interval(secs => ${REFRESH_MIN_INTERVAL_SECONDS}))
    returning id, integration_id, thing_name, thing_type, attributes, groups, registry_version, connected,
              connectivity_changed_at, disconnect_reason, named_shadows, sync_hash, shadow_version`);
  return rows[0] ?? null;
}

async function openCommandsOf(db: Db, orgId: string, device: ClaimedRow): Promise<OpenCommand[]> {
  const rows = await db((tx) => tx<{ id: string; shadow_name: string | null; desired: JsonObject; status: 'pending' | 'delivered'; created_at: Date; timeout_seconds: number }[]>`
    select id, shadow_name, desired, status, created_at, timeout_seconds
    from public.device_commands
    where org_id = ${orgId} and device_id = ${device.id} and status in ('pending', 'delivered')`);
  return rows.map((r) => ({
    id: r.id,
    thingName: device.thing_name,
    shadowName: r.shadow_name,
    desired: r.desired,
    status: r.status,
    createdAtMs: r.created_at.getTime(),
    timeoutSeconds: r.timeout_seconds,
  }));
}

/** The mode of the integration's latest sync decides where connectivity comes from. */
async function lastMode(db: Db, orgId: string, integrationId: string): Promise<string | null> {
  const rows = await db((tx) => tx<{ mode: string }[]>`
    select mode from public.sync_runs
    where org_id = ${orgId} and integration_id = ${integrationId} and mode is not null
    order by started_at desc limit 1`);
  return rows[0]?.mode ?? null;
}

const decoder = new TextDecoder();

async function readShadow(client: IoTDataPlaneClient, thingName: string, shadowName: string | undefined, signal: AbortSignal): Promise<ShadowState | null> {
  try {
    const out = await client.send(new GetThingShadowCommand({ thingName, shadowName }), { abortSignal: signal });
    const doc = shadowDocumentSchema.parse(JSON.parse(decoder.decode(out.payload)));
    return {
      reported: doc.state?.reported ?? null,
      desired: doc.state?.desired ?? null,
      delta: doc.state?.delta ?? null,
      metadata: doc.metadata ?? null,
      version: doc.version ?? null,
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return null;
    throw error;
  }
}

/**
 * The connectivity a fleet-index sync last wrote (the index is the only source of it), so a
 * refresh does not flip the status; registry-mode syncs derive it from the shadow, as this does.
 */
function cachedConnectivity(row: ClaimedRow, mode: string | null): Connectivity | null {
  if (mode !== 'fleet_index' || row.connected === null) return null;
  return { connected: row.connected, timestampMs: row.connectivity_changed_at?.getTime() ?? null, disconnectReason: row.disconnect_reason };
}

/** Refreshes one device the caller has already been shown (its org and id come from an RLS read). */
export async function refreshDevice(deps: RefreshDeps, target: { orgId: string; deviceId: string }): Promise<RefreshResult> {
  const db = deps.db ?? asService;
  const row = await claim(db, target.orgId, target.deviceId);
  if (!row) return { state: 'throttled' };
  const integration = await loadIntegration(db, row.integration_id, target.orgId);
  if (!integration) return { state: 'skipped', reason: 'The integration no longer exists.' };
  if (integration.status === 'paused') return { state: 'skipped', reason: 'The integration is paused.' };
  const open = await openCommandsOf(db, target.orgId, row);
  const mode = await lastMode(db, target.orgId, row.integration_id);

  let aws: ReturnType<typeof openClients>;
  try {
    aws = openClients(deps, integration);
  } catch (error) {
    return { state: 'failed', message: (awsFailure(error) ?? { message: 'The refresh failed.' }).message };
  }
  let shadow: ShadowState | null;
  let namedShadows: Record<string, ShadowState> | null = null;
  const readFrom = new Date();
  try {
    shadow = await readShadow(aws.clients.iotData, row.thing_name, undefined, aws.signal);
    const names = [...new Set(open.map((c) => c.shadowName).filter((n): n is string => n !== null))];
    if (names.length > 0) {
      namedShadows = { ...(row.named_shadows ?? {}) };
      for (const name of names) {
        const s = await readShadow(aws.clients.iotData, row.thing_name, name, aws.signal);
        if (s) namedShadows[name] = s;
        else delete namedShadows[name];
      }
    }
  } catch (error) {
    const known = awsFailure(error);
    if (!known) throw error;
    return { state: 'failed', message: known.message };
  } finally {
    aws.close();
  }

  const thing: ObservedThing = {
    thingName: row.thing_name,
    thingType: row.thing_type,
    attributes: row.attributes,
    groups: row.groups,
    registryVersion: row.registry_version === null ? null : Number(row.registry_version),
    shadow,
    namedShadows,
    connectivity: cachedConnectivity(row, mode),
  };
  const cache = new Map<string, CachedDevice>([
    [row.thing_name, { hash: row.sync_hash, shadowVersion: row.shadow_version === null ? null : Number(row.shadow_version), removed: false, groups: groupsKey(row.groups) }],
  ]);
  const writer = new DeviceWriter({ db, orgId: target.orgId, integrationId: row.integration_id }, cache, new CommandTracker(open, deps.wallNow), readFrom);
  const page = await writer.writePage([thing], (deps.now ?? Date.now)(), async () => {});
  return { state: 'refreshed', commandsResolved: page.commandsResolved };
}
