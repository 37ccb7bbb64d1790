import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ALERT_RULES, insertDemoAlertRules, routeDemoAlertRules } from '@/features/alerts/demo-rules';
import { asService, closeDatabase } from '@/lib/db';
import { adminSql, closeAdminSql, createTestOrg, silentLog, type TestOrg } from '../../../scripts/test/fixtures';
import { DEMO_CHANNEL_NAME, ensureDemoChannel } from './demo-channel';
import { queueDueReports } from './report';

/**
 * What `npm run demo` seeds for notifications (scripts/seed.ts): an e-mail channel to the demo
 * owner with a daily report that is due at once, and the demo rules routed to it; idempotent.
 */
let org: TestOrg;

beforeAll(async () => {
  org = await createTestOrg('demo-channel');
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('the demo inbox', () => {
  it('is created once, receives the demo rules once, and its first daily report is due at once', async () => {
    const owner = org.members.owner.id;
    await insertDemoAlertRules(adminSql(), org.id, owner);
    const first = await ensureDemoChannel(adminSql(), { orgId: org.id, createdBy: owner, recipient: 'demo@fleetline.test' });
    const again = await ensureDemoChannel(adminSql(), { orgId: org.id, createdBy: owner, recipient: 'demo@fleetline.test' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    await routeDemoAlertRules(adminSql(), org.id, first.id);
    await routeDemoAlertRules(adminSql(), org.id, first.id);

    const [channel] = await adminSql()<{ name: string; kind: string; email_recipients: string[]; report_frequency: string; report_since: Date | null }[]>`
      select name, kind, email_recipients, report_frequency, report_since from public.notification_channels where org_id = ${org.id}`;
    expect(channel).toEqual({ name: DEMO_CHANNEL_NAME, kind: 'email', email_recipients: ['demo@fleetline.test'], report_frequency: 'daily', report_since: null });
    const rules = await adminSql()<{ name: string; channel_ids: string[] }[]>`select name, channel_ids from public.alert_rules where org_id = ${org.id} order by name`;
    expect(rules.map((r) => r.name).sort()).toEqual(DEMO_ALERT_RULES.map((r) => r.name).sort());
    expect(rules.every((r) => r.channel_ids.length === 1 && r.channel_ids[0] === first.id)).toBe(true);

    const queued: string[] = [];
    await queueDueReports({ db: asService, log: silentLog, appUrl: 'http://127.0.0.1:3000', enqueue: async (ids) => void queued.push(...ids) });
    const reports = await adminSql()<{ id: string }[]>`select id from public.notification_deliveries where channel_id = ${first.id} and kind = 'report'`;
    expect(reports).toHaveLength(1);
    expect(queued).toContain(reports[0]!.id);
  });
});
