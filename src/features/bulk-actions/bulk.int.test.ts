import { DescribeThingCommand } from '@aws-sdk/client-iot';
import { GetThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { refreshDevice } from '@/features/commands/refresh';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { runSync } from '@/features/sync/engine';
import { DEMO_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { clients, decodeJson, startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, as, closeAdminSql, createTestOrg, orgContext, silentLog, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { getBulkOperation } from './queries';
import { runBulkOperation, type BulkDeps } from './runner';
import { previewBulkSchema, startBulkSchema, type StartBulkInput } from './schemas';
import { cancelBulkOperation, previewBulkOperation, startBulkOperation, type BulkQueue } from './service';

/**
 * Bulk actions end to end against the simulator and Postgres: the dry run, the snapshot under RLS,
 * the worker's handler writing every device within the budget (throttling slows it, never fails
 * it), per-device results, commands recorded for desired writes, cancellation and refusals.
 */
let sim: RunningSimulator;
let org: TestOrg;
let other: TestOrg;
let integration: SimIntegration;
let oracle: ReturnType<typeof clients>;

function queue() {
  const sent: string[] = [];
  const q: BulkQueue = {
    async enqueue(payload) {
      sent.push(payload.operationId);
      return `job-${sent.length}`;
    },
  };
  return { q, sent };
}

const deps = (overrides: Partial<BulkDeps> = {}): BulkDeps => ({
  db: simSyncDeps(sim).db,
  clients: integrationClients(testKeyring(), {}),
  log: silentLog,
  workerId: 'test-worker',
  tuning: { retry: { baseDelayMs: 5, maxDelayMs: 50 }, batchSize: 3 },
  ...overrides,
});

const start = (member: TestOrg, role: 'operator' | 'viewer', input: StartBulkInput, q: BulkQueue) =>
  as(member.members[role], (db) => startBulkOperation(orgContext(db, member, role), startBulkSchema.parse(input), q));

async function rejection(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

async function attributesOf(thingName: string) {
  return (await oracle.iot.send(new DescribeThingCommand({ thingName }))).attributes ?? {};
}

beforeAll(async () => {
  sim = await startTestSimulator({ things: 40, seed: 21, indexing: 'REGISTRY_AND_SHADOW' });
  oracle = clients(sim);
  org = await createTestOrg('bulk');
  other = await createTestOrg('bulk-other');
  integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
  const outcome = await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'cli' });
  expect(outcome).toMatchObject({ outcome: 'ran', run: { status: 'succeeded' } });
});

afterAll(async () => {
  oracle?.iot.destroy();
  oracle?.data.destroy();
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('the dry run', () => {
  it('counts the filtered selection by integration without writing anything', async () => {
    const [{ n }] = (await adminSql()`select count(*)::int as n from public.devices where org_id = ${org.id} and attributes->>'site' = 'berlin'`) as unknown as [{ n: number }];
    expect(n).toBeGreaterThan(0);
    const input = previewBulkSchema.parse({ filter: { attr: [{ key: 'site', value: 'berlin' }] }, kind: 'set_attribute', key: 'room', value: 'r1' });
    const preview = await as(org.members.operator, (db) => previewBulkOperation(orgContext(db, org, 'operator'), input));
    expect(preview).toMatchObject({ total: n, tooMany: false, pausedIntegrations: [], description: 'Set attribute room = r1' });
    expect(preview.byIntegration).toEqual([{ id: integration.id, name: expect.any(String), status: 'active', count: n }]);
    expect(preview.sample.length).toBe(Math.min(5, n));
    expect(await adminSql()`select 1 from public.bulk_operations where org_id = ${org.id}`).toHaveLength(0);
  });

  it('explains bad input on its field', () => {
    const flat = (input: unknown) => previewBulkSchema.safeParse(input).error!.issues.map((i) => [i.path.join('.'), i.message]);
    expect(flat({ filter: {}, kind: 'set_attribute', key: 'has space', value: 'x' })).toEqual([['key', 'Attribute names use letters, digits and _.,@/:#[]-']]);
    expect(flat({ filter: {}, kind: 'set_desired', key: 'led', value: 'blue' })[0]).toEqual(['value', expect.stringMatching(/Enter a JSON value/)]);
    expect(flat({ filter: {}, kind: 'set_desired', key: 'reported', value: '1' })[0]).toEqual(['key', expect.stringMatching(/reported/)]);
    const deep = JSON.stringify({ a: { b: { c: { d: { e: { f: 1 } } } } } });
    expect(flat({ filter: {}, kind: 'set_desired', key: 'cfg', value: deep })[0]).toEqual(['value', expect.stringMatching(/nested 7 levels/)]);
  });
});

describe('an attribute on a filtered selection', () => {
  it('runs through the worker handler under a throttling quota, and every device ends with its result', async () => {
    const filter = { attr: [{ key: 'site', value: 'paris' }] };
    const targets = await adminSql()<{ id: string; thing_name: string }[]>`
      select id, thing_name from public.devices where org_id = ${org.id} and attributes->>'site' = 'paris' order by thing_name`;
    expect(targets.length).toBeGreaterThan(3); // more than one batch
    const { q, sent } = queue();
    const started = await start(org, 'operator', { filter, kind: 'set_attribute', key: 'room', value: 'lab-7', expectedCount: targets.length }, q);
    expect(sent).toEqual([started.operationId]);
    const [op] = await adminSql()`select status, requested_by, total, kind, key, value from public.bulk_operations where id = ${started.operationId}`;
    expect(op).toMatchObject({ status: 'queued', requested_by: org.members.operator.id, total: targets.length, kind: 'set_attribute', key: 'room', value: 'lab-7' });

    // AWS allows 3 UpdateThing/s here: the governor starts at the budgeted 100/s and is throttled.
    sim.control.setQuotas({ enabled: true, factor: 1, rates: { UpdateThing: 3 } });
    try {
      const result = await runBulkOperation(deps(), started.operationId);
      expect(result).toMatchObject({ outcome: 'ran', status: 'completed', succeeded: targets.length, failed: 0, skipped: 0 });
      expect((result as { throttled: number }).throttled).toBeGreaterThan(0);
    } finally {
      sim.control.setQuotas({ enabled: false, rates: {} });
    }
    for (const t of targets) expect((await attributesOf(t.thing_name)).room).toBe('lab-7');
    const items = await adminSql()`select status, error, finished_at from public.bulk_operation_items where operation_id = ${started.operationId}`;
    expect(items.every((i) => i.status === 'succeeded' && i.error === null && i.finished_at)).toBe(true);
    const cached = await adminSql()`select attributes->>'room' as room from public.devices where id = any(${targets.map((t) => t.id)}::uuid[])`;
    expect(cached.every((c) => c.room === 'lab-7')).toBe(true);
    const report = await as(org.members.viewer, (db) => getBulkOperation(db, org.id, started.operationId));
    expect(report).toMatchObject({ status: 'completed', succeeded: targets.length, pending: 0, requestedBy: org.members.operator.email });
    expect(report!.throttled).toBeGreaterThan(0);
    const audit = await adminSql()`select action, actor_id from public.audit_log where target_id = ${started.operationId} order by id`;
    expect(audit).toEqual([
      { action: 'bulk_operation.queued', actor_id: org.members.operator.id },
      { action: 'bulk_operation.completed', actor_id: org.members.operator.id },
    ]);
    // A second delivery of the same job finds it finished and changes nothing.
    expect(await runBulkOperation(deps(), started.operationId)).toEqual({ outcome: 'finished', status: 'completed' });
  });

  it('reports a device AWS no longer has as failed, with the reason, and carries on', async () => {
    const targets = await adminSql()<{ thing_name: string }[]>`
      select thing_name from public.devices where org_id = ${org.id} and attributes->>'site' = 'austin' order by thing_name`;
    const gone = targets[0]!.thing_name;
    sim.control.removeThings('111122223333', [gone]);
    const { q } = queue();
    const started = await start(org, 'operator', { filter: { attr: [{ key: 'site', value: 'austin' }] }, kind: 'set_attribute', key: 'room', value: 'x1', expectedCount: targets.length }, q);
    const result = await runBulkOperation(deps(), started.operationId);
    expect(result).toMatchObject({ outcome: 'ran', status: 'completed', succeeded: targets.length - 1, failed: 1 });
    const [failed] = await adminSql()`select thing_name, error from public.bulk_operation_items where operation_id = ${started.operationId} and status = 'failed'`;
    expect(failed).toEqual({ thing_name: gone, error: 'The thing no longer exists in AWS.' });
  });

  it('refuses to run when the selection changed since the dry run', async () => {
    const { q, sent } = queue();
    const error = await rejection(start(org, 'operator', { filter: { attr: [{ key: 'site', value: 'paris' }] }, kind: 'set_attribute', key: 'room', value: 'y', expectedCount: 1 }, q));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/changed since the dry run \(1 → \d+ devices\)/);
    expect(sent).toEqual([]);
  });
});

describe('a desired key on a filtered selection', () => {
  it('writes every shadow, records a tracked command per device, and the refresh converges them', async () => {
    const targets = await adminSql()<{ id: string; thing_name: string; connected: boolean }[]>`
      select id, thing_name, connected from public.devices where org_id = ${org.id} and attributes->>'site' = 'toronto' order by thing_name`;
    const { q } = queue();
    const started = await start(org, 'operator', { filter: { attr: [{ key: 'site', value: 'toronto' }] }, kind: 'set_desired', key: 'ledColor', value: '"green"', expectedCount: targets.length }, q);
    const result = await runBulkOperation(deps(), started.operationId);
    expect(result).toMatchObject({ outcome: 'ran', status: 'completed', succeeded: targets.length });
    for (const t of targets) {
      const shadow = decodeJson<{ state: { desired?: Record<string, unknown> } }>((await oracle.data.send(new GetThingShadowCommand({ thingName: t.thing_name }))).payload);
      expect(shadow.state.desired).toEqual({ ledColor: 'green' });
    }
    const commands = await adminSql()<{ device_id: string; status: string; requested_by: string; desired: unknown; id: string }[]>`
      select c.id, c.device_id, c.status, c.requested_by, c.desired from public.device_commands c
      join public.bulk_operation_items i on i.command_id = c.id where i.operation_id = ${started.operationId}`;
    expect(commands).toHaveLength(targets.length);
    expect(commands.every((c) => c.status === 'pending' && c.requested_by === org.members.operator.id)).toBe(true);
    // A connected device converges 5 s (simulated) later; the device page's refresh sees it.
    const online = targets.find((t) => t.connected)!;
    sim.control.advanceTime(6_000);
    await refreshDevice({ clients: integrationClients(testKeyring(), {}), now: () => sim.control.now() }, { orgId: org.id, deviceId: online.id });
    const [cmd] = await adminSql()`select status from public.device_commands where device_id = ${online.id} and id = any(${commands.map((c) => c.id)}::uuid[])`;
    expect(cmd!.status).toBe('converged');
  });
});

describe('cancelling and refusals', () => {
  it('a cancelled operation skips what it had not done yet', async () => {
    const targets = await adminSql()`select 1 from public.devices where org_id = ${org.id} and attributes->>'site' = 'sydney'`;
    const { q } = queue();
    const started = await start(org, 'operator', { filter: { attr: [{ key: 'site', value: 'sydney' }] }, kind: 'set_attribute', key: 'room', value: 'z', expectedCount: targets.length }, q);
    await as(org.members.operator, (db) => cancelBulkOperation(orgContext(db, org, 'operator'), { operationId: started.operationId }));
    const result = await runBulkOperation(deps(), started.operationId);
    expect(result).toMatchObject({ outcome: 'ran', status: 'cancelled', succeeded: 0, skipped: targets.length });
    const again = await rejection(as(org.members.operator, (db) => cancelBulkOperation(orgContext(db, org, 'operator'), { operationId: started.operationId })));
    expect(again.code).toBe('PRECONDITION');
  });

  it('a viewer may not start one, and a member of another organization cannot select this one’s devices', async () => {
    const { q, sent } = queue();
    const viewer = await rejection(start(org, 'viewer', { filter: {}, kind: 'set_attribute', key: 'room', value: 'v', expectedCount: 40 }, q));
    expect(viewer.code).toBe('FORBIDDEN');
    // B's operator with no devices of its own: the filter selects nothing, whatever it names.
    const stranger = await rejection(start(other, 'operator', { filter: { integration: integration.id }, kind: 'set_attribute', key: 'room', value: 'v', expectedCount: 40 }, q));
    expect(stranger.code).toBe('PRECONDITION');
    // Claiming A's workspace under B's session finds nothing either.
    const forged = await rejection(as(other.members.operator, (db) => startBulkOperation(orgContext(db, org, 'operator'), startBulkSchema.parse({ filter: {}, kind: 'set_attribute', key: 'room', value: 'v', expectedCount: 40 }), q)));
    expect(forged.code).toBe('PRECONDITION');
    expect(sent).toEqual([]);
  });
});
