import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgContext, silentLog, type TestOrg } from '../../../scripts/test/fixtures';
import { insertDemoAlertRules } from './demo-rules';
import { evaluateAlerts, type AnomalyCandidates, type AnomalyVerdict, type EvaluateDeps } from './evaluate';
import type { AlertEvent } from './events';
import { listAlerts, openAlertCounts, unreadAlertCount } from './queries';
import { createRuleSchema, updateRuleSchema, type CreateRuleInput } from './schemas';
import { acknowledgeAlert, createRule, markAlertsRead, setRuleEnabled, snoozeDevice, snoozeRule, updateRule } from './service';

/**
 * Evaluation against cached device rows written directly (as the sync would), on a clock the test
 * moves: durations, hysteresis, the flap guard, snoozes, fleet rules and operations rules.
 */
let org: TestOrg;
let integrationId: string;
const T0 = new Date(Date.UTC(2026, 11, 1, 12, 0, 0));
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let sent: AlertEvent[] = [];
const deps: EvaluateDeps = {
  db: asService,
  log: silentLog,
  notify: async (_db, events) => {
    sent.push(...events);
    return { deliveries: events.length };
  },
};

async function evaluate(now: Date, extra: Partial<EvaluateDeps> = {}): Promise<AlertEvent[]> {
  sent = [];
  const events = await evaluateAlerts({ ...deps, ...extra }, { orgId: org.id, now });
  expect(sent).toEqual(events);
  return events;
}

async function device(thingName: string, fields: { status?: string; since?: Date | null; battery?: number | null; groups?: string[]; reported?: Record<string, unknown> } = {}) {
  const id = randomUUID();
  await adminSql()`
    insert into public.devices (id, org_id, integration_id, thing_name, status, connectivity_changed_at, last_seen_at, battery, groups, shadow, sync_hash)
    values (${id}, ${org.id}, ${integrationId}, ${thingName}, ${fields.status ?? 'online'}, ${fields.since ?? null}, ${fields.since ?? null},
            ${fields.battery ?? null}, ${fields.groups ?? []}, ${fields.reported ? adminSql().json({ reported: fields.reported } as never) : null}, 'test')`;
  return id;
}

const setDevice = (id: string, fields: { status?: string; since?: Date; battery?: number; groups?: string[] }) => adminSql()`
  update public.devices set
    status = coalesce(${fields.status ?? null}::public.device_status, status),
    connectivity_changed_at = coalesce(${fields.since ?? null}::timestamptz, connectivity_changed_at),
    battery = coalesce(${fields.battery ?? null}::float8, battery),
    groups = coalesce(${fields.groups ?? null}::text[], groups)
  where id = ${id}`;

async function rule(input: Record<string, unknown>): Promise<string> {
  const parsed: CreateRuleInput = createRuleSchema.parse({ name: `rule-${randomUUID().slice(0, 8)}`, ...input });
  return (await as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), parsed))).ruleId;
}

const instances = (ruleId: string) => adminSql()<{ id: string; state: string; device_id: string | null; subject_key: string; flapping: boolean; last_value: number | null; notified: boolean }[]>`
  select id, state, device_id, subject_key, flapping, last_value, notified from public.alerts where rule_id = ${ruleId} order by created_at, id`;

const disable = (ruleId: string) => as(org.members.operator, (db) => setRuleEnabled(orgContext(db, org, 'operator'), { ruleId, enabled: false }));

beforeAll(async () => {
  org = await createTestOrg('alerts-eval');
  integrationId = (await createTestIntegration(org)).id;
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('threshold with duration and hysteresis', () => {
  it('fires after the value held for the duration, does not flap in the band, resolves at the clear level', async () => {
    const low = await device('thr-low', { battery: 12, groups: ['thr'] });
    await device('thr-ok', { battery: 80, groups: ['thr'] });
    const ruleId = await rule({
      severity: 'critical',
      filter: { group: 'thr' },
      condition: { kind: 'threshold', metric: 'battery', op: 'lt', value: 15, clearValue: 20, forSeconds: 600 },
    });

    expect(await evaluate(at(0))).toEqual([]);
    expect(await instances(ruleId)).toMatchObject([{ state: 'pending', device_id: low }]);
    expect(await evaluate(at(5))).toEqual([]);
    const fired = await evaluate(at(10));
    expect(fired).toEqual([
      expect.objectContaining({ type: 'fired', ruleId, deviceId: low, thingName: 'thr-low', severity: 'critical', value: 12, at: at(10).toISOString(), channelIds: [] }),
    ]);
    expect(fired[0]!.summary).toBe('thr-low: battery < 15 for 10 min (clears at 20) — 12');

    // Oscillating between the alert level and the clear level: one firing alert, no events.
    for (const [minute, battery] of [[11, 16], [12, 14], [13, 19.9], [14, 15]] as const) {
      await setDevice(low, { battery });
      expect(await evaluate(at(minute))).toEqual([]);
    }
    expect(await instances(ruleId)).toMatchObject([{ state: 'firing', last_value: 15 }]);

    await setDevice(low, { battery: 21 });
    expect(await evaluate(at(15))).toEqual([expect.objectContaining({ type: 'resolved', deviceId: low, value: 21 })]);
    expect(await instances(ruleId)).toMatchObject([{ state: 'resolved' }]);
    await disable(ruleId);
  });

  it('restarts the duration when the value leaves the alert level before it fired', async () => {
    const id = await device('thr-reset', { battery: 10, groups: ['thr-reset'] });
    const ruleId = await rule({ filter: { group: 'thr-reset' }, condition: { kind: 'threshold', metric: 'battery', op: 'lt', value: 15, clearValue: 20, forSeconds: 600 } });
    await evaluate(at(0));
    await setDevice(id, { battery: 17 });
    await evaluate(at(6));
    expect(await instances(ruleId)).toEqual([]);
    await setDevice(id, { battery: 10 });
    expect(await evaluate(at(7))).toEqual([]);
    expect(await evaluate(at(16))).toEqual([]);
    expect(await evaluate(at(17))).toEqual([expect.objectContaining({ type: 'fired', deviceId: id })]);
    await disable(ruleId);
  });

  it('reads a numeric reported path and ignores values that are not numbers', async () => {
    const hot = await device('path-hot', { groups: ['path'], reported: { env: { t: 51 } } });
    await device('path-text', { groups: ['path'], reported: { env: { t: 'hot' } } });
    await device('path-none', { groups: ['path'], reported: {} });
    const ruleId = await rule({ filter: { group: 'path' }, condition: { kind: 'threshold', metric: { path: 'env.t' }, op: 'gt', value: 50 } });
    expect(await evaluate(at(0))).toEqual([expect.objectContaining({ type: 'fired', deviceId: hot, value: 51 })]);
    await disable(ruleId);
    // A named shadow's reported document.
    const named = await device('path-named', { groups: ['path-named'] });
    await adminSql()`update public.devices set named_shadows = '{"env":{"reported":{"t":61}},"other":{"reported":{"t":99}}}' where id = ${named}`;
    const namedRule = await rule({ filter: { group: 'path-named' }, condition: { kind: 'threshold', metric: { shadow: 'env', path: 't' }, op: 'gt', value: 60 } });
    expect(await evaluate(at(1))).toEqual([expect.objectContaining({ type: 'fired', deviceId: named, value: 61 })]);
    await disable(namedRule);
  });
});

describe('offline rules', () => {
  it('fire once a selected device has been offline for N minutes and resolve when it returns', async () => {
    const a = await device('off-a', { status: 'online', since: at(-60), groups: ['eu'] });
    const outside = await device('off-outside', { status: 'offline', since: at(-60), groups: ['us'] });
    const ruleId = await rule({ filter: { group: 'eu' }, condition: { kind: 'offline', minutes: 10 } });
    expect(await evaluate(at(0))).toEqual([]);
    await setDevice(a, { status: 'offline', since: at(1) });
    expect(await evaluate(at(5))).toEqual([]);
    expect(await instances(ruleId)).toEqual([]);
    const fired = await evaluate(at(11));
    expect(fired).toEqual([expect.objectContaining({ type: 'fired', deviceId: a, value: 10 })]);
    expect(fired.some((e) => e.deviceId === outside)).toBe(false);
    await setDevice(a, { status: 'online', since: at(12) });
    expect(await evaluate(at(12))).toEqual([expect.objectContaining({ type: 'resolved', deviceId: a })]);
    await disable(ruleId);
  });

  it('resolves when the device leaves the rule\'s filter', async () => {
    const a = await device('off-moved', { status: 'offline', since: at(-60), groups: ['moving'] });
    const ruleId = await rule({ filter: { group: 'moving' }, condition: { kind: 'offline', minutes: 10 } });
    expect(await evaluate(at(0))).toEqual([expect.objectContaining({ type: 'fired', deviceId: a })]);
    await setDevice(a, { groups: ['elsewhere'] });
    expect(await evaluate(at(1))).toEqual([expect.objectContaining({ type: 'resolved', deviceId: a })]);
    await disable(ruleId);
  });
});

describe('rule changes', () => {
  it('stale devices count only for rules that include them; an edit re-evaluates open alerts under the new definition', async () => {
    const stale = await device('stale-1', { status: 'stale', since: at(-60), groups: ['stale'] });
    const ruleId = await rule({ name: 'stale watch', filter: { group: 'stale' }, condition: { kind: 'offline', minutes: 10 } });
    expect(await evaluate(at(0))).toEqual([]);
    const edit = (condition: Record<string, unknown>, severity = 'warning') =>
      as(org.members.operator, (db) => updateRule(orgContext(db, org, 'operator'), updateRuleSchema.parse({ ruleId, name: 'stale watch', filter: { group: 'stale' }, condition, severity })));
    await edit({ kind: 'offline', minutes: 10, includeStale: true });
    expect(await evaluate(at(1))).toEqual([expect.objectContaining({ type: 'fired', deviceId: stale, severity: 'warning' })]);
    // A new severity reaches the open instance; a stricter condition resolves it.
    await edit({ kind: 'offline', minutes: 10, includeStale: true }, 'critical');
    expect(await evaluate(at(2))).toEqual([]);
    expect(await adminSql()`select severity from public.alerts where rule_id = ${ruleId} and state = 'firing'`).toEqual([{ severity: 'critical' }]);
    await edit({ kind: 'offline', minutes: 120, includeStale: true }, 'critical');
    expect(await evaluate(at(3))).toEqual([expect.objectContaining({ type: 'resolved', deviceId: stale, severity: 'critical' })]);
    await disable(ruleId);
  });

  it('a rule whose stored definition no longer parses is skipped, and the others still run', async () => {
    const id = await device('skip-ok', { status: 'offline', since: at(-60), groups: ['skip'] });
    const broken = await rule({ filter: { group: 'skip' }, condition: { kind: 'offline', minutes: 5 } });
    const fine = await rule({ filter: { group: 'skip' }, condition: { kind: 'offline', minutes: 5 } });
    await adminSql()`update public.alert_rules set condition = '{"kind":"offline","minutes":"soon"}' where id = ${broken}`;
    expect((await evaluate(at(0))).map((e) => [e.ruleId, e.deviceId])).toEqual([[fine, id]]);
    await disable(broken);
    await disable(fine);
  });
});

describe('fleet share', () => {
  it('fires one fleet alert when the share of offline devices in the filter crosses the level', async () => {
    const ids = await Promise.all(['fs-1', 'fs-2', 'fs-3', 'fs-4'].map((n) => device(n, { status: 'online', since: at(-60), groups: ['site-berlin'] })));
    await device('fs-elsewhere', { status: 'offline', since: at(-60), groups: ['site-paris'] });
    const ruleId = await rule({
      filter: { group: 'site-berlin' },
      condition: { kind: 'fleet_share', match: { type: 'offline' }, measure: 'share', op: 'gt', level: 30 },
    });
    await setDevice(ids[0]!, { status: 'offline' });
    expect(await evaluate(at(0))).toEqual([]);
    await setDevice(ids[1]!, { status: 'offline' });
    const fired = await evaluate(at(1));
    expect(fired).toEqual([expect.objectContaining({ type: 'fired', deviceId: null, thingName: null, value: 50 })]);
    expect(fired[0]!.summary).toBe('share of devices offline > 30 % — 50 %');
    const [instance] = await adminSql()<{ subject_key: string; details: Record<string, unknown> }[]>`select subject_key, details from public.alerts where rule_id = ${ruleId}`;
    expect(instance).toMatchObject({ subject_key: 'fleet', details: { matching: 2, total: 4 } });
    await setDevice(ids[0]!, { status: 'online' });
    await setDevice(ids[1]!, { status: 'online' });
    // A resolution carries the value that cleared it.
    expect(await evaluate(at(2))).toEqual([expect.objectContaining({ type: 'resolved', deviceId: null, value: 0 })]);
    await disable(ruleId);
  });
});

describe('snoozes', () => {
  it('a snoozed rule tracks its alert without notifying, and notifies once the snooze is lifted', async () => {
    const id = await device('snz-rule', { status: 'offline', since: at(-60), groups: ['snz-rule'] });
    const ruleId = await rule({ filter: { group: 'snz-rule' }, condition: { kind: 'offline', minutes: 5 } });
    await as(org.members.operator, (db) => snoozeRule(orgContext(db, org, 'operator'), { ruleId, until: at(30) }));
    expect(await evaluate(at(0))).toEqual([]);
    expect(await instances(ruleId)).toMatchObject([{ state: 'firing', notified: false }]);
    expect(await evaluate(at(29))).toEqual([]);
    // Told once the snooze is over, with the time it fired.
    expect(await evaluate(at(31))).toEqual([expect.objectContaining({ type: 'fired', deviceId: id, at: at(0).toISOString() })]);
    await disable(ruleId);
  });

  it('a snoozed device stays quiet while the rule\'s other devices notify; it is never told it resolved', async () => {
    const quiet = await device('snz-quiet', { status: 'offline', since: at(-60), groups: ['snz-dev'] });
    const loud = await device('snz-loud', { status: 'offline', since: at(-60), groups: ['snz-dev'] });
    const ruleId = await rule({ filter: { group: 'snz-dev' }, condition: { kind: 'offline', minutes: 5 } });
    await as(org.members.operator, (db) => snoozeDevice(orgContext(db, org, 'operator'), { ruleId, deviceId: quiet, until: at(60) }));
    expect((await evaluate(at(0))).map((e) => [e.type, e.deviceId])).toEqual([['fired', loud]]);
    await setDevice(quiet, { status: 'online', since: at(1) });
    expect(await evaluate(at(1))).toEqual([]);
    expect((await instances(ruleId)).map((i) => [i.device_id, i.state])).toEqual(expect.arrayContaining([[quiet, 'resolved'], [loud, 'firing']]));
    await disable(ruleId);
  });
});

describe('flapping guard', () => {
  it('holds an alert firing once it resolved too often in the window, and resolves it after a quiet window', async () => {
    const id = await device('flap', { battery: 10, groups: ['flap'] });
    const ruleId = await rule({ filter: { group: 'flap' }, condition: { kind: 'threshold', metric: 'battery', op: 'lt', value: 15 } });
    const flap = { flap: { windowSeconds: 3600, limit: 2 } };
    const types: string[] = [];
    for (let i = 0; i < 4; i++) {
      await setDevice(id, { battery: 10 });
      types.push(...(await evaluate(at(i * 2), flap)).map((e) => e.type));
      await setDevice(id, { battery: 50 });
      types.push(...(await evaluate(at(i * 2 + 1), flap)).map((e) => e.type));
    }
    // Two full cycles, then the third instance is held: it fired and does not resolve while flapping.
    expect(types).toEqual(['fired', 'resolved', 'fired', 'resolved', 'fired']);
    expect((await instances(ruleId)).at(-1)).toMatchObject({ state: 'firing', flapping: true });
    // Clear since minute 7: held for the whole window, resolved once it has passed.
    expect(await evaluate(at(66), flap)).toEqual([]);
    expect(await evaluate(at(67), flap)).toEqual([expect.objectContaining({ type: 'resolved', deviceId: id })]);
    await disable(ruleId);
  });
});

describe('operations rules', () => {
  it('sync_failure fires after N failed runs in a row and resolves on a success', async () => {
    const own = await createTestIntegration(org);
    const ruleId = await rule({ filter: { integration: own.id }, condition: { kind: 'sync_failure', consecutive: 3 } });
    const run = (status: string, minute: number) => adminSql()`
      insert into public.sync_runs (org_id, integration_id, trigger, status, started_at, finished_at, error_code)
      values (${org.id}, ${own.id}, 'schedule', ${status}, ${at(minute)}, ${at(minute)}, ${status === 'failed' ? 'UnrecognizedClientException' : null})`;
    await run('succeeded', 0);
    await run('failed', 1);
    await run('failed', 2);
    expect(await evaluate(at(3))).toEqual([]);
    await run('failed', 3);
    expect(await evaluate(at(4))).toEqual([expect.objectContaining({ type: 'fired', deviceId: null, value: 3, summary: expect.stringContaining(own.name) })]);
    await run('succeeded', 5);
    expect(await evaluate(at(6))).toEqual([expect.objectContaining({ type: 'resolved' })]);
    expect(await instances(ruleId)).toMatchObject([{ subject_key: `integration:${own.id}`, state: 'resolved' }]);
    await disable(ruleId);
  });

  it('ota_failure fires when an active job\'s failure share passes the level', async () => {
    const ruleId = await rule({ condition: { kind: 'ota_failure', failureSharePercent: 20 } });
    const [job] = await adminSql()<{ id: string }[]>`
      insert into public.ota_jobs (org_id, integration_id, job_id, status, succeeded_count, failed_count, in_progress_count)
      values (${org.id}, ${integrationId}, 'fw-alerts', 'IN_PROGRESS', 8, 1, 1) returning id`;
    expect(await evaluate(at(0))).toEqual([]);
    await adminSql()`update public.ota_jobs set failed_count = 3, in_progress_count = 0 where id = ${job!.id}`;
    expect(await evaluate(at(1))).toEqual([expect.objectContaining({ type: 'fired', value: expect.closeTo((3 / 11) * 100, 6), summary: expect.stringContaining('fw-alerts') })]);
    // A job its abort criteria stopped alerts whatever its share.
    await adminSql()`
      insert into public.ota_jobs (org_id, integration_id, job_id, status, succeeded_count, failed_count, canceled_count, comment, completed_at_aws)
      values (${org.id}, ${integrationId}, 'fw-aborted', 'CANCELED', 90, 2, 8, 'Job aborted: FAILED executions reached 2% of 92 executed things (threshold 2%).', ${at(1)})`;
    expect(await evaluate(at(2))).toEqual([expect.objectContaining({ type: 'fired', summary: expect.stringContaining('fw-aborted') })]);
    await disable(ruleId);
  });

  it('command_timeout fires for a device whose latest command timed out, and resolves when a newer one converges', async () => {
    const id = await device('cmd', { groups: ['cmd'] });
    const ruleId = await rule({ filter: { group: 'cmd' }, condition: { kind: 'command_timeout' } });
    const command = (status: string, minute: number) => adminSql()`
      insert into public.device_commands (org_id, device_id, desired, status, created_at, resolved_at, timeout_seconds)
      values (${org.id}, ${id}, '{"led":"on"}', ${status}, ${at(minute)}, ${at(minute + 1)}, 60)`;
    await command('timed_out', 0);
    expect(await evaluate(at(2))).toEqual([expect.objectContaining({ type: 'fired', deviceId: id, value: 60 })]);
    await command('converged', 3);
    expect(await evaluate(at(5))).toEqual([expect.objectContaining({ type: 'resolved', deviceId: id })]);
    await disable(ruleId);
  });
});

describe('anomaly rules', () => {
  it('take the detector\'s verdicts through the hook, within the rule\'s filter, and are skipped without one', async () => {
    const watched = await device('anom-in', { groups: ['anom'] });
    const outside = await device('anom-out', { groups: ['elsewhere'] });
    const ruleId = await rule({ filter: { group: 'anom' }, condition: { kind: 'anomaly', metric: 'temperature', sensitivity: 'high' } });
    let verdicts: AnomalyVerdict[] = [];
    const seen: string[] = [];
    const anomaly: AnomalyCandidates = async (tx, args) => {
      seen.push(args.rule.condition.sensitivity);
      const [row] = await tx<{ n: number }[]>`select count(*)::int as n from public.devices d where ${args.where}`;
      expect(row!.n).toBe(1);
      return verdicts;
    };
    verdicts = [{ deviceId: watched, value: 48.5, verdict: 'fire', details: { band: [18, 31] } }, { deviceId: outside, value: 99, verdict: 'fire' }];
    expect(await evaluate(at(0), { anomaly })).toEqual([expect.objectContaining({ type: 'fired', deviceId: watched, value: 48.5 })]);
    expect(seen).toEqual(['high']);
    verdicts = [{ deviceId: watched, value: 30, verdict: 'hold' }];
    expect(await evaluate(at(1), { anomaly })).toEqual([]);
    // Without the detector nothing changes: the open alert is neither resolved nor refreshed.
    expect(await evaluate(at(2))).toEqual([]);
    expect(await instances(ruleId)).toMatchObject([{ state: 'firing', device_id: watched, last_value: 30 }]);
    verdicts = [];
    expect(await evaluate(at(3), { anomaly })).toEqual([expect.objectContaining({ type: 'resolved', deviceId: watched })]);
    await disable(ruleId);
  });
});

describe('acknowledgement, the bell and counts', () => {
  it('operators acknowledge firing alerts; viewers may not; acknowledged alerts still resolve', async () => {
    const id = await device('ack', { status: 'offline', since: at(-60), groups: ['ack'] });
    const ruleId = await rule({ severity: 'critical', filter: { group: 'ack' }, condition: { kind: 'offline', minutes: 5 } });
    const [fired] = await evaluate(at(0));
    const alertId = fired!.alertId;

    const viewer = await as(org.members.viewer, async (db) => ({
      unread: await unreadAlertCount(db, org.id, org.members.viewer.id),
      counts: await openAlertCounts(db, org.id),
      list: await listAlerts(db, org.id, { ruleId }),
    }));
    expect(viewer.unread).toBeGreaterThanOrEqual(1);
    expect(viewer.counts.critical).toBeGreaterThanOrEqual(1);
    expect(viewer.list.items).toMatchObject([{ id: alertId, state: 'firing', deviceId: id, thingName: 'ack', ruleId }]);
    await as(org.members.viewer, (db) => markAlertsRead(orgContext(db, org, 'viewer')));
    expect(await as(org.members.viewer, (db) => unreadAlertCount(db, org.id, org.members.viewer.id))).toBe(0);

    await expect(as(org.members.viewer, (db) => acknowledgeAlert(orgContext(db, org, 'viewer'), { alertId }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await as(org.members.operator, (db) => acknowledgeAlert(orgContext(db, org, 'operator'), { alertId }));
    await expect(as(org.members.operator, (db) => acknowledgeAlert(orgContext(db, org, 'operator'), { alertId }))).rejects.toMatchObject({ code: 'PRECONDITION' });
    const [audit] = await adminSql()`select actor_id, action from public.audit_log where org_id = ${org.id} and target_id = ${alertId}`;
    expect(audit).toEqual({ actor_id: org.members.operator.id, action: 'alert.acknowledged' });

    await setDevice(id, { status: 'online', since: at(1) });
    expect(await evaluate(at(1))).toEqual([expect.objectContaining({ type: 'resolved', alertId })]);
    await disable(ruleId);
  });

  it('lists alerts newest first with a keyset cursor and filters', async () => {
    const ids = await Promise.all(['pg-1', 'pg-2', 'pg-3'].map((n) => device(n, { status: 'offline', since: at(-60), groups: ['paged'] })));
    const ruleId = await rule({ severity: 'info', filter: { group: 'paged' }, condition: { kind: 'offline', minutes: 5 } });
    await evaluate(at(0));
    const first = await as(org.members.viewer, (db) => listAlerts(db, org.id, { ruleId, limit: 2 }));
    expect(first.items).toHaveLength(2);
    const second = await as(org.members.viewer, (db) => listAlerts(db, org.id, { ruleId, limit: 2, cursor: first.nextCursor! }));
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((a) => a.deviceId))).toEqual(new Set(ids));
    const none = await as(org.members.viewer, (db) => listAlerts(db, org.id, { ruleId, severity: ['critical'] }));
    expect(none.items).toEqual([]);
    const byDevice = await as(org.members.viewer, (db) => listAlerts(db, org.id, { deviceId: ids[0]!, state: ['firing'] }));
    expect(byDevice.items.map((a) => a.deviceId)).toEqual([ids[0]]);
    await disable(ruleId);
  });
});

describe('demo rules', () => {
  it('seed once (idempotent) and fire on a demo-like fleet; the anomaly rule waits for its detector', async () => {
    const demo = await createTestOrg('alerts-demo');
    const integration = await createTestIntegration(demo);
    await insertDemoAlertRules(adminSql(), demo.id, demo.members.owner.id);
    await insertDemoAlertRules(adminSql(), demo.id, demo.members.owner.id);
    const offline = randomUUID();
    await adminSql()`
      insert into public.devices (id, org_id, integration_id, thing_name, status, connectivity_changed_at, battery, sync_hash)
      values (${offline}, ${demo.id}, ${integration.id}, 'demo-1', 'offline', ${at(-30)}, 80, 'test')`;
    const events = await evaluateAlerts(deps, { orgId: demo.id, now: at(0) });
    expect(events.map((e) => [e.ruleName, e.deviceId])).toEqual([['Device offline > 10 min', offline]]);
    const rules = await adminSql()`select name from public.alert_rules where org_id = ${demo.id} order by name`;
    expect(rules.map((r) => r.name)).toEqual(['Battery below 15 % for 10 min', 'Device offline > 10 min', 'Temperature anomaly']);
  });
});

describe('notification failures', () => {
  it('keep the alert state, and the same events are sent by the next evaluation', async () => {
    const id = await device('atomic', { status: 'offline', since: at(-60), groups: ['atomic'] });
    const ruleId = await rule({ filter: { group: 'atomic' }, condition: { kind: 'offline', minutes: 5 } });
    const failing = { notify: async () => Promise.reject(new Error('channel store down')) };
    await expect(evaluateAlerts({ ...deps, ...failing }, { orgId: org.id, now: at(0) })).rejects.toThrow('channel store down');
    expect(await instances(ruleId)).toMatchObject([{ state: 'firing', device_id: id, notified: false }]);
    expect(await evaluate(at(1))).toEqual([expect.objectContaining({ type: 'fired', deviceId: id, at: at(0).toISOString() })]);
    expect(await evaluate(at(2))).toEqual([]);

    await setDevice(id, { status: 'online', since: at(3) });
    await expect(evaluateAlerts({ ...deps, ...failing }, { orgId: org.id, now: at(3) })).rejects.toThrow('channel store down');
    expect(await instances(ruleId)).toMatchObject([{ state: 'resolved' }]);
    expect(await evaluate(at(4))).toEqual([expect.objectContaining({ type: 'resolved', deviceId: id, at: at(3).toISOString() })]);
    expect(await evaluate(at(5))).toEqual([]);
    await disable(ruleId);
  });
});
