import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { closeDatabase, type Tx } from '@/lib/db';
import { adminSql, as, asAnon, closeAdminSql, createTestIntegration, createTestOrg, orgContext, type TestOrg } from '../../../scripts/test/fixtures';
import { listAlerts, listRules } from './queries';
import { createRuleSchema } from './schemas';
import { acknowledgeAlert, createRule, deleteRule, markAlertsRead, snoozeDevice, updateRule } from './service';

/**
 * Who sees and writes alert rules, alerts, device snoozes and bell marks, per persona: members read
 * their organization's rows, nobody writes them directly (service-only), the services check roles.
 */
type Persona = 'owner' | 'admin' | 'operator' | 'viewer' | 'other org' | 'anon';
const PERSONAS: Persona[] = ['owner', 'admin', 'operator', 'viewer', 'other org', 'anon'];

let orgA: TestOrg;
let orgB: TestOrg;
let ruleId: string;
let alertId: string;
let deviceId: string;
let anomalyRuleId: string;

function run<T>(persona: Persona, fn: (db: Tx) => Promise<T>): Promise<T> {
  if (persona === 'anon') return asAnon(fn);
  const user: SessionUser = persona === 'other org' ? orgB.members.owner : orgA.members[persona];
  return as(user, fn);
}

const input = (name: string) => createRuleSchema.parse({ name, condition: { kind: 'offline', minutes: 10 } });

beforeAll(async () => {
  orgA = await createTestOrg('alerts-rls-a');
  orgB = await createTestOrg('alerts-rls-b');
  const integration = await createTestIntegration(orgA);
  deviceId = randomUUID();
  await adminSql()`
    insert into public.devices (id, org_id, integration_id, thing_name, status, sync_hash)
    values (${deviceId}, ${orgA.id}, ${integration.id}, 'rls-device', 'offline', 'test')`;
  ruleId = (await as(orgA.members.operator, (db) => createRule(orgContext(db, orgA, 'operator'), input('Offline 10 min')))).ruleId;
  const [alert] = await adminSql()<{ id: string }[]>`
    insert into public.alerts (org_id, rule_id, subject_key, device_id, state, severity, condition_since, fired_at, last_evaluated_at, summary)
    values (${orgA.id}, ${ruleId}, ${deviceId}, ${deviceId}, 'firing', 'warning', now(), now(), now(), 'rls-device offline') returning id`;
  alertId = alert!.id;
  await as(orgA.members.operator, (db) => snoozeDevice(orgContext(db, orgA, 'operator'), { ruleId, deviceId, until: new Date(Date.now() + 3600_000) }));
  await as(orgA.members.viewer, (db) => markAlertsRead(orgContext(db, orgA, 'viewer')));
  const anomaly = createRuleSchema.parse({ name: 'Temperature anomaly', condition: { kind: 'anomaly', metric: 'temperature' } });
  anomalyRuleId = (await as(orgA.members.operator, (db) => createRule(orgContext(db, orgA, 'operator'), anomaly))).ruleId;
  await adminSql()`
    insert into public.alert_anomaly_baselines (org_id, rule_id, device_id, metric_key, source, points, level, scale, refreshed_at)
    values (${orgA.id}, ${anomalyRuleId}, ${deviceId}, '"temperature"', 'shadow_history', 100, 21.5, 0.4, now())`;
  await adminSql()`insert into public.alert_anomaly_scans (org_id, rule_id, cursor_device_id, last_full_scan_at) values (${orgA.id}, ${anomalyRuleId}, ${deviceId}, now())`;
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('reads', () => {
  it.each(PERSONAS)('as %s: members read the organization\'s rules, alerts and snoozes; others see nothing', async (persona) => {
    const read = () =>
      run(persona, async (db) => {
        const [row] = await db<{ rules: number; alerts: number; snoozes: number; reads: number }[]>`
          select (select count(*)::int from public.alert_rules where org_id = ${orgA.id}) as rules,
                 (select count(*)::int from public.alerts where org_id = ${orgA.id}) as alerts,
                 (select count(*)::int from public.alert_device_snoozes where org_id = ${orgA.id}) as snoozes,
                 (select count(*)::int from public.alert_reads where org_id = ${orgA.id}) as reads`;
        return row;
      });
    if (persona === 'anon') {
      await expect(read()).rejects.toMatchObject({ code: '42501' });
      return;
    }
    const member = persona !== 'other org';
    // Each member sees only their own bell mark: the viewer's.
    expect(await read()).toEqual({ rules: member ? 2 : 0, alerts: member ? 1 : 0, snoozes: member ? 1 : 0, reads: persona === 'viewer' ? 1 : 0 });
  });

  it.each(PERSONAS)('as %s: the anomaly baselines are the evaluation\'s alone (no member reads them)', async (persona) => {
    await expect(run(persona, (db) => db`select count(*) from public.alert_anomaly_baselines where org_id = ${orgA.id}`)).rejects.toMatchObject({ code: '42501' });
    await expect(run(persona, (db) => db`select count(*) from public.alert_anomaly_scans where org_id = ${orgA.id}`)).rejects.toMatchObject({ code: '42501' });
  });

  it('the queries return DTOs to a viewer and nothing to another organization, even given the org id', async () => {
    const viewer = await as(orgA.members.viewer, async (db) => ({ rules: await listRules(db, orgA.id), alerts: await listAlerts(db, orgA.id) }));
    expect(viewer.rules.items.find((r) => r.id === ruleId)).toMatchObject({ id: ruleId, name: 'Offline 10 min', kind: 'offline', openAlerts: 1 });
    expect(viewer.alerts.items).toMatchObject([{ id: alertId, deviceId, thingName: 'rls-device', state: 'firing' }]);
    const stranger = await as(orgB.members.owner, async (db) => ({ rules: await listRules(db, orgA.id), alerts: await listAlerts(db, orgA.id) }));
    expect(stranger).toEqual({ rules: { items: [], nextCursor: null }, alerts: { items: [], nextCursor: null } });
  });
});

describe('direct writes are refused for every persona (the server writes these tables)', () => {
  const writes: [string, (db: Tx) => Promise<unknown>][] = [
    ['insert a rule', (db) => db`insert into public.alert_rules (org_id, name, kind, condition) values (${orgA.id}, 'direct', 'offline', '{"kind":"offline","minutes":1}')`],
    ['rename a rule', (db) => db`update public.alert_rules set name = 'hijacked' where id = ${ruleId}`],
    ['delete a rule', (db) => db`delete from public.alert_rules where id = ${ruleId}`],
    ['resolve an alert', (db) => db`update public.alerts set state = 'resolved', resolved_at = now() where id = ${alertId}`],
    ['acknowledge an alert', (db) => db`update public.alerts set acknowledged_by = (select auth.uid()) where id = ${alertId}`],
    ['insert an alert', (db) => db`insert into public.alerts (org_id, rule_id, subject_key, severity, condition_since, last_evaluated_at, summary) values (${orgA.id}, ${ruleId}, 'x', 'info', now(), now(), 'x')`],
    ['snooze a device', (db) => db`insert into public.alert_device_snoozes (org_id, rule_id, device_id, until) values (${orgA.id}, ${ruleId}, ${deviceId}, now() + interval '1 day')`],
    ['lift a snooze', (db) => db`delete from public.alert_device_snoozes where rule_id = ${ruleId}`],
    ['move a bell mark', (db) => db`update public.alert_reads set read_at = now() + interval '1 year'`],
    ['insert a baseline', (db) => db`insert into public.alert_anomaly_baselines (org_id, rule_id, device_id, metric_key, source, points, refreshed_at) values (${orgA.id}, ${anomalyRuleId}, ${deviceId}, '"battery"', 'telemetry', 0, now())`],
    ['widen a baseline', (db) => db`update public.alert_anomaly_baselines set scale = 1000 where rule_id = ${anomalyRuleId}`],
    ['drop a baseline', (db) => db`delete from public.alert_anomaly_baselines where rule_id = ${anomalyRuleId}`],
    ['skip the full scan', (db) => db`update public.alert_anomaly_scans set last_full_scan_at = now() + interval '1 year' where rule_id = ${anomalyRuleId}`],
    ['forge a scan state', (db) => db`insert into public.alert_anomaly_scans (org_id, rule_id) values (${orgA.id}, ${ruleId})`],
  ];
  it.each(PERSONAS)('as %s', async (persona) => {
    for (const [name, write] of writes) {
      await expect(run(persona, write), `${persona}: ${name}`).rejects.toMatchObject({ code: '42501' });
    }
  });
});

describe('services check the role and the organization', () => {
  it('viewers cannot create, edit, delete, snooze or acknowledge', async () => {
    const ctx = (db: Tx) => orgContext(db, orgA, 'viewer');
    const attempts: ((db: Tx) => Promise<unknown>)[] = [
      (db: Tx) => createRule(ctx(db), input('viewer rule')),
      (db: Tx) => updateRule(ctx(db), { ruleId, ...input('renamed') }),
      (db: Tx) => deleteRule(ctx(db), { ruleId }),
      (db: Tx) => snoozeDevice(ctx(db), { ruleId, deviceId, until: null }),
      (db: Tx) => acknowledgeAlert(ctx(db), { alertId }),
    ];
    for (const attempt of attempts) {
      await expect(as(orgA.members.viewer, attempt)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it('an operator of another organization finds none of its rules or alerts', async () => {
    const ctx = (db: Tx) => orgContext(db, orgB, 'operator');
    await expect(as(orgB.members.operator, (db) => updateRule(ctx(db), { ruleId, ...input('renamed') }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(as(orgB.members.operator, (db) => deleteRule(ctx(db), { ruleId }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(as(orgB.members.operator, (db) => acknowledgeAlert(ctx(db), { alertId }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(as(orgB.members.operator, (db) => snoozeDevice(ctx(db), { ruleId, deviceId, until: null }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const [rule] = await adminSql()`select name from public.alert_rules where id = ${ruleId}`;
    expect(rule).toEqual({ name: 'Offline 10 min' });
  });

  it('operators edit rules, audited; a duplicate name is a conflict', async () => {
    await as(orgA.members.operator, (db) => updateRule(orgContext(db, orgA, 'operator'), { ruleId, ...input('Offline 10 min'), severity: 'critical' }));
    await expect(as(orgA.members.operator, (db) => createRule(orgContext(db, orgA, 'operator'), input('Offline 10 min')))).rejects.toMatchObject({ code: '23505' });
    const audit = await adminSql()<{ action: string; actor_id: string }[]>`
      select action, actor_id from public.audit_log where org_id = ${orgA.id} and target_id = ${ruleId} order by created_at`;
    expect(audit.map((a) => a.action)).toEqual(['alert_rule.created', 'alert_rule.device_snoozed', 'alert_rule.updated']);
    expect(new Set(audit.map((a) => a.actor_id))).toEqual(new Set([orgA.members.operator.id]));
  });
});
