import { GetThingShadowCommand, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { runSync } from '@/features/sync/engine';
import { DEMO_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { clients, decodeJson, encodeJson, startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, as, closeAdminSql, createTestOrg, orgScopeFor, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import type { AwsDeps } from './aws';
import { refreshDevice, type RefreshDeps } from './refresh';
import { DESIRED_MAX_BYTES, DESIRED_MAX_DEPTH, desiredStateBytes, sendCommandSchema, type DesiredDocument } from './schemas';
import { CONFLICT_MESSAGE, sendCommand } from './service';

/**
 * Desired-state commands against the simulator and real Postgres: the write, the pending row under
 * RLS, conflicts, the shadow service's limits, the device page's refresh resolving the command
 * through the sync's own writer, and who may not send.
 */
let sim: RunningSimulator;
let orgA: TestOrg;
let orgB: TestOrg;
let integration: SimIntegration;
let deps: AwsDeps & RefreshDeps;
let oracle: ReturnType<typeof clients>;

interface DeviceRow {
  id: string;
  thing_name: string;
  shadow_version: string | null;
  shadow: { reported: Record<string, unknown> | null; desired: Record<string, unknown> | null } | null;
}

async function connectedDevice(offset = 0): Promise<DeviceRow> {
  const rows = await adminSql()<DeviceRow[]>`
    select id, thing_name, shadow_version, shadow from public.devices
    where integration_id = ${integration.id} and connected and status = 'online' order by thing_name offset ${offset} limit 1`;
  return rows[0]!;
}

async function deviceRow(id: string): Promise<DeviceRow> {
  return (await adminSql()<DeviceRow[]>`select id, thing_name, shadow_version, shadow from public.devices where id = ${id}`)[0]!;
}

async function awsShadow(thingName: string) {
  const out = await oracle.data.send(new GetThingShadowCommand({ thingName }));
  return decodeJson<{ version: number; state: { desired?: Record<string, unknown>; reported?: Record<string, unknown>; delta?: unknown } }>(out.payload);
}

const send = (org: TestOrg, role: 'owner' | 'operator' | 'viewer', input: { deviceId: string; desired: string; expectedVersion: number | null }, ctxOrg: TestOrg = org) =>
  sendCommand(orgScopeFor(ctxOrg, role, org.members[role]), sendCommandSchema.parse(input), deps);

async function rejection(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

beforeAll(async () => {
  sim = await startTestSimulator({ things: 24, seed: 11, indexing: 'REGISTRY_AND_SHADOW' });
  oracle = clients(sim);
  orgA = await createTestOrg('cmd-a');
  orgB = await createTestOrg('cmd-b');
  integration = await createSimIntegration(orgA, sim, { credentials: DEMO_CREDENTIALS });
  const outcome = await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'cli' });
  expect(outcome).toMatchObject({ outcome: 'ran', run: { status: 'succeeded', mode: 'fleet_index' } });
  deps = { clients: integrationClients(testKeyring(), {}), now: () => sim.control.now() };
});

beforeEach(async () => {
  // Each test may refresh at once (the throttle is tested on its own).
  await adminSql()`update public.devices set shadow_refreshed_at = null where org_id = ${orgA.id}`;
});

afterAll(async () => {
  oracle?.data.destroy();
  oracle?.iot.destroy();
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('sending a command', () => {
  it('writes desired state with the seen version, records a pending row as the operator and audits the keys only', async () => {
    const device = await connectedDevice();
    const before = await awsShadow(device.thing_name);
    expect(Number(device.shadow_version)).toBe(before.version);
    const sent = await send(orgA, 'operator', { deviceId: device.id, desired: '{"ledColor": "blue", "wifi": {"psk": "hunter2"}}', expectedVersion: before.version });

    const after = await awsShadow(device.thing_name);
    expect(after.state.desired).toEqual({ ledColor: 'blue', wifi: { psk: 'hunter2' } });
    expect(after.version).toBe(before.version + 1);
    expect(sent.shadowVersion).toBe(after.version);
    const [row] = await adminSql()`select org_id, device_id, requested_by, status, desired, shadow_version, shadow_name, timeout_seconds from public.device_commands where id = ${sent.commandId}`;
    expect(row).toMatchObject({ org_id: orgA.id, device_id: device.id, requested_by: orgA.members.operator.id, status: 'pending', shadow_name: null, timeout_seconds: 600 });
    expect(Number(row!.shadow_version)).toBe(after.version);
    const audit = await adminSql()<{ actor_id: string; details: Record<string, unknown> }[]>`
      select actor_id, details from public.audit_log where org_id = ${orgA.id} and action = 'device.command_sent' and target_id = ${device.id}`;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(orgA.members.operator.id);
    expect(audit[0]!.details).toMatchObject({ keys: ['ledColor', 'wifi'], commandId: sent.commandId });
    expect(JSON.stringify(audit[0]!.details)).not.toContain('hunter2');
  });

  it('refuses a stale version as a conflict, explained, and records nothing', async () => {
    const device = await connectedDevice(1);
    const seen = (await awsShadow(device.thing_name)).version;
    // Someone else writes the shadow after the operator loaded it.
    await oracle.data.send(new UpdateThingShadowCommand({ thingName: device.thing_name, payload: encodeJson({ state: { desired: { mode: 'eco' } } }) }));
    const error = await rejection(send(orgA, 'operator', { deviceId: device.id, desired: '{"mode": "turbo"}', expectedVersion: seen }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(CONFLICT_MESSAGE);
    expect((await awsShadow(device.thing_name)).state.desired).toEqual({ mode: 'eco' });
    expect(await adminSql()`select 1 from public.device_commands where device_id = ${device.id}`).toHaveLength(0);
  });

  it('uses the shadow service’s own limits: what the schema accepts AWS accepts, one step beyond both refuse', async () => {
    const device = await connectedDevice(2);
    const nest = (levels: number): DesiredDocument => (levels === 1 ? { leaf: 1 } : { n: nest(levels - 1) });
    const deepest = JSON.stringify(nest(DESIRED_MAX_DEPTH));
    const tooDeep = JSON.stringify(nest(DESIRED_MAX_DEPTH + 1));
    expect(sendCommandSchema.safeParse({ deviceId: device.id, desired: tooDeep, expectedVersion: null }).success).toBe(false);
    let version = (await awsShadow(device.thing_name)).version;
    await send(orgA, 'operator', { deviceId: device.id, desired: deepest, expectedVersion: version });
    // Past the schema (as a forged call would be), AWS itself refuses: nothing sent goes through.
    version = (await awsShadow(device.thing_name)).version;
    const deep = await rejection(sendCommand(orgScopeFor(orgA, 'operator'), { deviceId: device.id, shadowName: null, desired: nest(DESIRED_MAX_DEPTH + 1), expectedVersion: version, timeoutSeconds: 600 }, deps));
    expect(deep.code).toBe('VALIDATION');
    expect(deep.fieldErrors?.desired?.[0]).toMatch(/nesting/);

    // One byte over 8 KB of state (as AWS counts the request) is refused by both; a large document
    // is accepted in a fresh named shadow, where no reported state sits beside it.
    const pad = (bytes: number) => {
      const doc = { blob: '' };
      doc.blob = 'x'.repeat(bytes - desiredStateBytes(doc));
      return doc;
    };
    const fits = pad(DESIRED_MAX_BYTES);
    expect(desiredStateBytes(fits)).toBe(DESIRED_MAX_BYTES);
    const over = pad(DESIRED_MAX_BYTES + 1);
    expect(sendCommandSchema.safeParse({ deviceId: device.id, desired: JSON.stringify(over), expectedVersion: null }).success).toBe(false);
    const direct = (desired: DesiredDocument, shadowName: string | null) =>
      sendCommand(orgScopeFor(orgA, 'operator'), { deviceId: device.id, shadowName, desired, expectedVersion: null, timeoutSeconds: 600 }, deps);
    expect(sendCommandSchema.safeParse({ deviceId: device.id, desired: JSON.stringify(fits), expectedVersion: null }).success).toBe(true);
    const sent = await direct(pad(DESIRED_MAX_BYTES - 64), 'scratch');
    expect(sent.shadowVersion).toBe(1);
    const big = await rejection(direct(over, 'scratch-2'));
    expect(big.code).toBe('VALIDATION');
    expect(big.fieldErrors?.desired).toBeDefined();
    // Within 8 KB on its own but too big beside the device's reported state: AWS refuses, explained.
    const whole = await rejection(direct(fits, null));
    expect(whole.code).toBe('VALIDATION');
    expect(whole.fieldErrors?.desired?.[0]).toMatch(/whole shadow/);
  });

  it('is refused for a viewer before AWS is touched', async () => {
    const device = await connectedDevice(4);
    const before = await awsShadow(device.thing_name);
    const error = await rejection(send(orgA, 'viewer', { deviceId: device.id, desired: '{"ledColor": "red"}', expectedVersion: before.version }));
    expect(error.code).toBe('FORBIDDEN');
    expect(await awsShadow(device.thing_name)).toEqual(before);
    expect(await adminSql()`select 1 from public.device_commands where device_id = ${device.id}`).toHaveLength(0);
  });

  it('cannot reach another organization’s device, however the call is dressed up', async () => {
    const device = await connectedDevice(5);
    const before = await awsShadow(device.thing_name);
    // An operator of B, in B's workspace, naming A's device: RLS hides it.
    const inB = await rejection(send(orgB, 'operator', { deviceId: device.id, desired: '{"ledColor": "red"}', expectedVersion: before.version }));
    expect(inB.code).toBe('NOT_FOUND');
    // Even claiming to act in A (a forged context) finds nothing under B's session.
    const forged = await rejection(send(orgB, 'operator', { deviceId: device.id, desired: '{"ledColor": "red"}', expectedVersion: before.version }, orgA));
    expect(forged.code).toBe('NOT_FOUND');
    expect(await awsShadow(device.thing_name)).toEqual(before);
    // And the table refuses a command row for A written with B's session.
    await expect(
      as(orgB.members.operator, (db) => db`insert into public.device_commands (org_id, device_id, desired) values (${orgA.id}, ${device.id}, '{"x": 1}')`),
    ).rejects.toMatchObject({ code: '42501' });
  });
});

describe('the device refresh', () => {
  it('follows a command pending → delivered → converged through the sync’s writer, within its throttle', async () => {
    const device = await connectedDevice(6);
    const seen = (await awsShadow(device.thing_name)).version;
    const sent = await send(orgA, 'operator', { deviceId: device.id, desired: '{"setpoint": 21.5}', expectedVersion: seen });

    // The device is online but has not acted yet: delivered.
    expect(await refreshDevice(deps, { orgId: orgA.id, deviceId: device.id })).toEqual({ state: 'refreshed', commandsResolved: 1 });
    let [cmd] = await adminSql()`select status, delivered_at from public.device_commands where id = ${sent.commandId}`;
    expect(cmd).toMatchObject({ status: 'delivered' });
    const midway = await deviceRow(device.id);
    expect(midway.shadow?.desired).toEqual({ setpoint: 21.5 });
    expect(Number(midway.shadow_version)).toBe(sent.shadowVersion);

    // Within the throttle nothing is asked of AWS.
    const calls = () => sim.control.getCounters().calls['iotdata:GetThingShadow'] ?? 0;
    const before = calls();
    expect(await refreshDevice(deps, { orgId: orgA.id, deviceId: device.id })).toEqual({ state: 'throttled' });
    expect(calls()).toBe(before);

    // The simulated device converges 5 s after the write.
    sim.control.advanceTime(6_000);
    await adminSql()`update public.devices set shadow_refreshed_at = null where id = ${device.id}`;
    expect(await refreshDevice(deps, { orgId: orgA.id, deviceId: device.id })).toEqual({ state: 'refreshed', commandsResolved: 1 });
    [cmd] = await adminSql()`select status, resolved_at, error from public.device_commands where id = ${sent.commandId}`;
    expect(cmd).toMatchObject({ status: 'converged', error: null });
    expect(cmd!.resolved_at).toBeInstanceOf(Date);
    const after = await deviceRow(device.id);
    const aws = await awsShadow(device.thing_name);
    expect(after.shadow?.reported).toEqual(aws.state.reported);
    expect(after.shadow?.reported?.setpoint).toBe(21.5);
    expect(Number(after.shadow_version)).toBe(aws.version);
    // The new version is in the history the sync keeps.
    const history = await adminSql()`select 1 from public.device_shadow_history where device_id = ${device.id} and shadow_version = ${aws.version}`;
    expect(history).toHaveLength(1);
  });

  it('leaves the fleet-index connectivity as synced and writes nothing when the shadow did not change', async () => {
    const device = await connectedDevice(7);
    const [before] = await adminSql()`select status, connected, connectivity_changed_at, sync_hash, synced_at from public.devices where id = ${device.id}`;
    expect(await refreshDevice(deps, { orgId: orgA.id, deviceId: device.id })).toEqual({ state: 'refreshed', commandsResolved: 0 });
    const [after] = await adminSql()`select status, connected, connectivity_changed_at, sync_hash, synced_at from public.devices where id = ${device.id}`;
    expect(after).toEqual(before);
  });
});
