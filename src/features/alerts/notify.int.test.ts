import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyAlertEvents } from '@/features/notifications/service';
import { createChannelSchema } from '@/features/notifications/schemas';
import { createChannel } from '@/features/notifications/service';
import { asService, closeDatabase } from '@/lib/db';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgContext, silentLog, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { evaluateAlerts } from './evaluate';
import { createRuleSchema } from './schemas';
import { createRule } from './service';

/**
 * Alerts and notifications wired as the worker wires them: a rule routed to a channel turns its
 * transitions into delivery rows linked to the alert, queued once; other organizations' channels
 * cannot be named by a rule.
 */
let org: TestOrg;
let other: TestOrg;
let integrationId: string;
const T0 = new Date(Date.UTC(2026, 11, 1, 12, 0, 0));

async function channel(target: TestOrg, name: string): Promise<string> {
  const input = createChannelSchema.parse({ kind: 'email', name, recipients: ['ops@example.test'] });
  const created = await as(target.members.admin, (db) => createChannel(orgContext(db, target, 'admin'), input, { keyring: testKeyring() }));
  return created.channel.id;
}

beforeAll(async () => {
  org = await createTestOrg('alerts-notify');
  other = await createTestOrg('alerts-notify-other');
  integrationId = (await createTestIntegration(org)).id;
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('alert transitions reach the rule’s channels', () => {
  it('a firing and a resolving alert each become one queued delivery linked to the alert', async () => {
    const channelId = await channel(org, 'Ops mail');
    const deviceId = randomUUID();
    await adminSql()`
      insert into public.devices (id, org_id, integration_id, thing_name, status, connectivity_changed_at, last_seen_at, sync_hash, groups)
      values (${deviceId}, ${org.id}, ${integrationId}, 'notify-offline', 'offline', ${new Date(T0.getTime() - 30 * 60_000)}, ${T0}, 'test', '{notify}')`;
    const rule = createRuleSchema.parse({
      name: 'Offline 10 min',
      severity: 'critical',
      filter: { group: 'notify' },
      condition: { kind: 'offline', minutes: 10 },
      channelIds: [channelId],
    });
    const { ruleId } = await as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), rule));

    const queued: string[] = [];
    const deps = {
      db: asService,
      log: silentLog,
      notify: (db: Parameters<typeof notifyAlertEvents>[0], events: Parameters<typeof notifyAlertEvents>[1]) =>
        notifyAlertEvents(db, events, { enqueue: async (ids) => void queued.push(...ids) }),
    };
    const fired = await evaluateAlerts(deps, { orgId: org.id, now: T0 });
    expect(fired).toMatchObject([{ type: 'fired', ruleId, deviceId, channelIds: [channelId] }]);

    await adminSql()`update public.devices set status = 'online', connectivity_changed_at = ${T0} where id = ${deviceId}`;
    const resolved = await evaluateAlerts(deps, { orgId: org.id, now: new Date(T0.getTime() + 60_000) });
    expect(resolved).toMatchObject([{ type: 'resolved', ruleId, deviceId }]);

    const rows = await adminSql()<{ id: string; channel_id: string; alert_id: string; kind: string; status: string }[]>`
      select id, channel_id, alert_id, kind, status from public.notification_deliveries where org_id = ${org.id} order by created_at, id`;
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.channel_id === channelId && r.alert_id === fired[0]!.alertId && r.kind === 'alert')).toBe(true);
    expect(queued.sort()).toEqual(rows.map((r) => r.id).sort());

    // An evaluation with nothing new sends nothing again.
    expect(await evaluateAlerts(deps, { orgId: org.id, now: new Date(T0.getTime() + 120_000) })).toEqual([]);
    expect(queued).toHaveLength(2);
  });

  it('a rule cannot route to another organization’s channel', async () => {
    const foreign = await channel(other, 'Not yours');
    const rule = createRuleSchema.parse({
      name: 'Foreign channel',
      severity: 'warning',
      filter: {},
      condition: { kind: 'offline', minutes: 5 },
      channelIds: [foreign],
    });
    await expect(as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), rule))).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await adminSql()`select 1 from public.alert_rules where org_id = ${org.id} and name = 'Foreign channel'`).toHaveLength(0);
  });
});
