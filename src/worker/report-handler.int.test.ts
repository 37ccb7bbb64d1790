import path from 'node:path';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertActivity, openAlertCounts } from '@/features/alerts/queries';
import type { DeliveryDeps } from '@/features/notifications/delivery';
import type { ReportData } from '@/features/notifications/messages';
import { latestReportPeriod } from '@/features/notifications/report-schedule';
import { channelReportSchema, createChannelSchema, type ChannelReportInput } from '@/features/notifications/schemas';
import { createMailer } from '@/features/notifications/senders';
import { createChannel, enqueueWith, setChannelReport } from '@/features/notifications/service';
import { getFleetOverview } from '@/features/overview/queries';
import { asService, closeDatabase } from '@/lib/db';
import { createBoss, createQueues, QUEUES } from '@/lib/jobs/queues';
import type { OrgRole } from '@/lib/roles';
import { STATE_DIR, TEST_PORTS } from '../../scripts/stack/config';
import { listSinkEmails, startMailSink, type RunningMailSink, type SinkEmail } from '../../scripts/stack/mail';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgContext, silentLog, testKeyring, uniqueSuffix, type TestOrg } from '../../scripts/test/fixtures';
import { startWebhookReceiver, verifyFleetlineSignature, type WebhookReceiver } from '../../scripts/test/notification-fixtures';
import { waitFor } from '../../scripts/test/sync-fixtures';
import { handleNotificationJob } from './notification-handler';
import { handleReportsTick } from './report-handler';

/**
 * Scheduled fleet reports end to end: the report tick records due reports, pg-boss runs the
 * ordinary delivery jobs, e-mail reaches the MailDev sink (read back through its REST API) and
 * webhooks a local receiver. The numbers are checked against the overview's and the alerts' own
 * queries run by the test, for two organizations whose fleets differ in every value.
 */
let orgA: TestOrg;
let orgB: TestOrg;
let boss: PgBoss;
let sink: RunningMailSink;
let receiver: WebhookReceiver;
const keyring = testKeyring();
const APP_URL = 'https://fleet.example.test';
/** The hour the tests' daily reports end at: the current UTC hour, so the newest period ended under an hour ago. */
const HOUR = new Date().getUTCHours();

async function insertDevices(org: TestOrg, specs: Array<{ status: string; firmware: string | null; n: number }>) {
  const { id: integrationId } = await createTestIntegration(org);
  for (const spec of specs) {
    for (let i = 0; i < spec.n; i++) {
      await adminSql()`
        insert into public.devices (org_id, integration_id, thing_name, status, firmware_version, sync_hash)
        values (${org.id}, ${integrationId}, ${`report-${spec.status}-${i}-${uniqueSuffix()}`}, ${spec.status}, ${spec.firmware}, 'h')`;
    }
  }
  return integrationId;
}

/** Alerts with the given timestamps under one rule (state follows from them, as the constraints want). */
async function insertAlerts(org: TestOrg, alerts: Array<{ severity: 'critical' | 'warning' | 'info'; firedAt: Date; resolvedAt?: Date }>) {
  const [rule] = await adminSql()<{ id: string }[]>`
    insert into public.alert_rules (org_id, name, kind, condition) values (${org.id}, ${`Report rule ${uniqueSuffix()}`}, 'offline', '{"kind":"offline","minutes":10}')
    returning id`;
  for (const [i, a] of alerts.entries()) {
    await adminSql()`
      insert into public.alerts (org_id, rule_id, subject_key, state, severity, condition_since, fired_at, resolved_at, last_evaluated_at, summary)
      values (${org.id}, ${rule!.id}, ${`subject-${i}`}, ${a.resolvedAt ? 'resolved' : 'firing'}, ${a.severity}, ${a.firedAt}, ${a.firedAt}, ${a.resolvedAt ?? null}, now(), 'test alert')`;
  }
}

beforeAll(async () => {
  orgA = await createTestOrg('report-a');
  orgB = await createTestOrg('report-b');
  const integrationA = await insertDevices(orgA, [
    { status: 'online', firmware: '1.4.0', n: 5 },
    { status: 'offline', firmware: '1.3.2', n: 2 },
    { status: 'stale', firmware: null, n: 1 },
  ]);
  await insertDevices(orgB, [{ status: 'offline', firmware: 'b-9.9', n: 3 }]);
  await adminSql()`
    insert into public.ota_jobs (org_id, integration_id, job_id, status, queued_count, in_progress_count, succeeded_count, failed_count)
    values (${orgA.id}, ${integrationA}, 'rollout-a', 'IN_PROGRESS', 2, 1, 4, 1)`;
  const { start, end } = latestReportPeriod({ frequency: 'daily', hour: HOUR, weekday: 1 }, new Date());
  const hour = 3600_000;
  await insertAlerts(orgA, [
    { severity: 'critical', firedAt: new Date(end.getTime() - 2 * hour) }, // opened in the period, still open
    { severity: 'warning', firedAt: new Date(start.getTime() - 5 * hour), resolvedAt: new Date(start.getTime() + hour) }, // resolved in it
    { severity: 'warning', firedAt: new Date(start.getTime() + hour), resolvedAt: new Date(end.getTime() - hour) }, // both
    { severity: 'info', firedAt: new Date(start.getTime() - 10 * hour) }, // open since before the period
  ]);
  await insertAlerts(orgB, Array.from({ length: 6 }, () => ({ severity: 'critical' as const, firedAt: new Date(end.getTime() - hour) })));

  sink = await startMailSink({ smtpPort: TEST_PORTS.smtp, webPort: TEST_PORTS.mail, mailDirectory: path.join(STATE_DIR, `test-mail-${TEST_PORTS.smtp}`) });
  receiver = await startWebhookReceiver();
  boss = createBoss({ schedule: false, supervise: true });
  await boss.start();
  await createQueues(boss);
  const deps = { db: asService, log: silentLog, keyring, mailer: createMailer(sink.smtpUrl), mailFrom: 'Fleetline <reports@fleetline.test>', boss } satisfies DeliveryDeps & { boss: PgBoss };
  await boss.work(QUEUES.notify, { batchSize: 5, pollingIntervalSeconds: 0.5 }, (jobs) => Promise.all(jobs.map((job) => handleNotificationJob(deps, job))));
});

afterAll(async () => {
  await boss?.stop({ graceful: false, close: false });
  await receiver?.close();
  await sink?.close();
  await closeAdminSql();
  await closeDatabase();
});

const tick = (now = new Date()) => handleReportsTick({ db: asService, log: silentLog, appUrl: APP_URL, enqueue: enqueueWith(boss), now: () => now });

async function emailChannel(org: TestOrg, label: string) {
  const recipient = `${label}-${uniqueSuffix()}@example.test`;
  const input = createChannelSchema.parse({ kind: 'email', name: `${label} ${uniqueSuffix()}`, recipients: [recipient] });
  const { channel } = await as(org.members.admin, (db) => createChannel(orgContext(db, org, 'admin'), input, { keyring }));
  return { channel, recipient };
}

function setReport(org: TestOrg, input: ChannelReportInput, role: OrgRole = 'admin') {
  const parsed = channelReportSchema.parse(input);
  return as(org.members[role], (db) => setChannelReport(orgContext(db, org, role), parsed));
}

/** As if the schedule had been set two days ago (the service stamps the change with now()). */
const setLongAgo = (channelId: string) => adminSql()`update public.notification_channels set report_since = now() - interval '2 days' where id = ${channelId}`;

const reportsOf = (channelId: string) =>
  adminSql()<{ id: string; status: string; org_id: string; payload: { report: ReportData }; report_period_start: Date; report_period_end: Date }[]>`
    select id, status, org_id, payload, report_period_start, report_period_end from public.notification_deliveries
    where channel_id = ${channelId} and kind = 'report' order by report_period_start`;

const mailsTo = async (recipient: string): Promise<SinkEmail[]> => (await listSinkEmails(sink.webUrl)).filter((m) => m.to.some((t) => t.address === recipient));

/** What the overview and the alerts queries say about the org for the period, computed independently of the report. */
async function expectedNumbers(org: TestOrg, period: { start: Date; end: Date }) {
  return asService(async (tx) => ({
    overview: await getFleetOverview(tx, org.id),
    activity: await alertActivity(tx, org.id, { from: period.start, to: period.end }),
    open: await openAlertCounts(tx, org.id),
  }));
}

describe('a daily report', () => {
  it('is recorded once per period, even from concurrent ticks, and reaches the SMTP sink with the overview’s numbers', async () => {
    const { channel, recipient } = await emailChannel(orgA, 'daily');
    await setReport(orgA, { channelId: channel.id, frequency: 'daily', hour: HOUR, weekday: 1 });
    await setLongAgo(channel.id);
    const now = new Date();
    // Two workers' ticks at once, then a retried one: one report.
    await Promise.all([tick(now), tick(now)]);
    await tick(now);
    const rows = await reportsOf(channel.id);
    expect(rows).toHaveLength(1);
    const period = latestReportPeriod({ frequency: 'daily', hour: HOUR, weekday: 1 }, now);
    expect(rows[0]!.report_period_start).toEqual(period.start);
    expect(rows[0]!.report_period_end).toEqual(period.end);

    const { overview, activity, open } = await expectedNumbers(orgA, period);
    const report = rows[0]!.payload.report;
    expect(report.devices).toEqual({
      total: overview.devices.total,
      online: overview.devices.online,
      offline: overview.devices.offline,
      stale: overview.devices.stale,
      unknown: overview.devices.unknown,
    });
    expect(report.firmware.items).toEqual(overview.firmware.items.map((f) => ({ version: f.key, count: f.count })));
    expect(report.firmware.missing).toBe(overview.firmware.missing);
    expect(report.otaJobs.active).toBe(overview.otaJobs.active);
    expect(report.otaJobs.items.map((j) => [j.jobId, j.succeeded, j.total])).toEqual(overview.otaJobs.items.map((j) => [j.jobId, j.counts.succeeded, j.total]));
    expect(report.alerts).toEqual({ opened: activity.opened, resolved: activity.resolved, open: { critical: open.critical, warning: open.warning, info: open.info } });
    // The fixture's alerts were built to land in each bucket at least once.
    expect(activity).toEqual({ opened: 2, resolved: 2 });
    expect(report.overviewUrl).toBe(`${APP_URL}/${orgA.slug}`);

    const [mail] = await waitFor(async () => {
      const mails = await mailsTo(recipient);
      return mails.length > 0 && mails;
    });
    expect(mail!.subject).toBe(`[Fleetline] Daily fleet report for ${orgA.name}`);
    const d = overview.devices;
    expect(mail!.text).toContain(`Fleet health: ${d.total} devices (${d.online} online, ${d.offline} offline, ${d.stale} stale, ${d.unknown} unknown)`);
    expect(mail!.text).toContain(`Alerts in the period: ${activity.opened} opened, ${activity.resolved} resolved`);
    expect(mail!.text).toContain(`Open alerts now: ${open.critical} critical, ${open.warning} warning, ${open.info} info`);
    for (const f of overview.firmware.items) expect(mail!.text).toContain(`  ${f.key}: ${f.count} (`);
    expect(mail!.text).toContain(`Overview: ${APP_URL}/${orgA.slug}`);
    expect(mail!.html).toContain('<table');
    expect(mail!.html).toContain(`href="${APP_URL}/${orgA.slug}"`);
    expect(mail!.headers['x-fleetline-delivery']).toBe(rows[0]!.id);
    await waitFor(async () => (await reportsOf(channel.id))[0]?.status === 'delivered');
    // Later ticks of the same period send nothing more.
    await tick(new Date(now.getTime() + 30 * 60_000));
    expect(await reportsOf(channel.id)).toHaveLength(1);
    expect(await mailsTo(recipient)).toHaveLength(1);
  });

  it('is not sent when off, when the channel is disabled, or for a period that ended before the schedule was set', async () => {
    const off = await emailChannel(orgA, 'off');
    await setReport(orgA, { channelId: off.channel.id, frequency: 'off', hour: HOUR, weekday: 1 });
    await setLongAgo(off.channel.id);
    const disabled = await emailChannel(orgA, 'disabled');
    await setReport(orgA, { channelId: disabled.channel.id, frequency: 'daily', hour: HOUR, weekday: 1 });
    await setLongAgo(disabled.channel.id);
    await adminSql()`update public.notification_channels set enabled = false where id = ${disabled.channel.id}`;
    // Set just now: the period that ended at HOUR:00 today is not this schedule's.
    const fresh = await emailChannel(orgA, 'fresh');
    await setReport(orgA, { channelId: fresh.channel.id, frequency: 'daily', hour: HOUR, weekday: 1 });
    await tick();
    for (const c of [off, disabled, fresh]) expect(await reportsOf(c.channel.id)).toEqual([]);
    // The fresh schedule's first report is the next period's.
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    await tick(tomorrow);
    expect((await reportsOf(fresh.channel.id)).map((r) => r.report_period_end)).toEqual([latestReportPeriod({ frequency: 'daily', hour: HOUR, weekday: 1 }, tomorrow).end]);
    expect(await reportsOf(off.channel.id)).toEqual([]);
    expect(await reportsOf(disabled.channel.id)).toEqual([]);
  });
});

describe('a weekly report', () => {
  it('goes out on its weekday only, covering the seven days before', async () => {
    const { channel, recipient } = await emailChannel(orgA, 'weekly');
    const now = new Date();
    const today = ((now.getUTCDay() + 6) % 7) + 1;
    const tomorrow = (today % 7) + 1;
    await setReport(orgA, { channelId: channel.id, frequency: 'weekly', hour: HOUR, weekday: tomorrow });
    await setLongAgo(channel.id);
    // Today is not its weekday: its newest period ended six days ago, before the schedule was set.
    await tick(now);
    expect(await reportsOf(channel.id)).toEqual([]);
    const onTheDay = new Date(now.getTime() + 24 * 3600_000);
    await tick(onTheDay);
    await tick(onTheDay);
    const rows = await reportsOf(channel.id);
    expect(rows).toHaveLength(1);
    const end = rows[0]!.report_period_end;
    expect(((end.getUTCDay() + 6) % 7) + 1).toBe(tomorrow);
    expect(end.getUTCHours()).toBe(HOUR);
    expect(end.getTime() - rows[0]!.report_period_start.getTime()).toBe(7 * 24 * 3600_000);
    const [mail] = await waitFor(async () => {
      const mails = await mailsTo(recipient);
      return mails.length > 0 && mails;
    });
    expect(mail!.subject).toBe(`[Fleetline] Weekly fleet report for ${orgA.name}`);
  });
});

describe('webhook channels', () => {
  it('get a signed JSON `report` body', async () => {
    receiver.respond({ status: 200 });
    receiver.requests.length = 0;
    const input = createChannelSchema.parse({ kind: 'webhook', name: `Report hook ${uniqueSuffix()}`, url: receiver.url, format: 'json' });
    const { channel, signingSecret } = await as(orgA.members.admin, (db) => createChannel(orgContext(db, orgA, 'admin'), input, { keyring }));
    await setReport(orgA, { channelId: channel.id, frequency: 'daily', hour: HOUR, weekday: 1 });
    await setLongAgo(channel.id);
    await tick();
    const [request] = await waitFor(async () => receiver.requests.length > 0 && receiver.requests);
    expect(verifyFleetlineSignature(signingSecret!, request!.headers['fleetline-signature'] as string, request!.body)).toBe(true);
    expect(request!.headers['fleetline-event']).toBe('report');
    const body = JSON.parse(request!.body);
    expect(body).toMatchObject({ type: 'report', orgId: orgA.id, data: { report: { frequency: 'daily', org: { slug: orgA.slug } } } });
    // Nothing of the channel itself (URL, secret) is in the report.
    expect(request!.body).not.toContain(receiver.url);
    expect(request!.body).not.toContain(signingSecret!);
  });
});

describe('tenancy and roles', () => {
  it('a report holds only its own organization’s data, and members of another cannot read it', async () => {
    const a = await emailChannel(orgA, 'tenant-a');
    const b = await emailChannel(orgB, 'tenant-b');
    for (const [org, c] of [[orgA, a], [orgB, b]] as const) {
      await setReport(org, { channelId: c.channel.id, frequency: 'daily', hour: HOUR, weekday: 1 });
      await setLongAgo(c.channel.id);
    }
    const now = new Date();
    await tick(now);
    const period = latestReportPeriod({ frequency: 'daily', hour: HOUR, weekday: 1 }, now);
    const [reportA] = await reportsOf(a.channel.id);
    const [reportB] = await reportsOf(b.channel.id);
    expect(reportA!.org_id).toBe(orgA.id);
    expect(reportB!.org_id).toBe(orgB.id);
    const expectedA = await expectedNumbers(orgA, period);
    const expectedB = await expectedNumbers(orgB, period);
    expect(reportA!.payload.report.devices.total).toBe(expectedA.overview.devices.total);
    expect(reportB!.payload.report.devices.total).toBe(expectedB.overview.devices.total);
    expect(reportB!.payload.report.alerts.open.critical).toBe(expectedB.open.critical);
    expect(reportA!.payload.report.alerts.open.critical).toBe(expectedA.open.critical);
    expect(JSON.stringify(reportA!.payload)).not.toContain('b-9.9');
    expect(JSON.stringify(reportB!.payload)).not.toContain('1.4.0');
    expect(reportB!.payload.report.org).toEqual({ name: orgB.name, slug: orgB.slug });
    const mailB = await waitFor(async () => (await mailsTo(b.recipient))[0]);
    expect(mailB.text).toContain(`Fleet health: ${expectedB.overview.devices.total} devices`);
    expect(mailB.text).not.toContain('1.4.0');
    // RLS: A's admin sees A's report and nothing of B's.
    const seen = await as(orgA.members.admin, (db) => db<{ channel_id: string }[]>`
      select channel_id from public.notification_deliveries where kind = 'report' and channel_id = any(${[a.channel.id, b.channel.id]}::uuid[])`);
    expect(seen.map((r) => r.channel_id)).toEqual([a.channel.id]);
    // A's admin cannot set B's channel's report, even by id.
    await expect(setReport(orgA, { channelId: b.channel.id, frequency: 'off', hour: 0, weekday: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('only admins change the setting (audited); viewers and operators are refused by the service and by the grants', async () => {
    const { channel } = await emailChannel(orgA, 'roles');
    for (const role of ['viewer', 'operator'] as const) {
      await expect(setReport(orgA, { channelId: channel.id, frequency: 'daily', hour: 6, weekday: 1 }, role)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(as(orgA.members[role], (db) => db`update public.notification_channels set report_frequency = 'daily' where id = ${channel.id}`)).rejects.toMatchObject({ code: '42501' });
    }
    const updated = await setReport(orgA, { channelId: channel.id, frequency: 'weekly', hour: 6, weekday: 5 }, 'owner');
    expect(updated.report).toEqual({ frequency: 'weekly', hour: 6, weekday: 5 });
    // Members read the schedule (the channel pages show it).
    const [viewerRow] = await as(orgA.members.viewer, (db) => db<{ report_frequency: string }[]>`select report_frequency from public.notification_channels where id = ${channel.id}`);
    expect(viewerRow!.report_frequency).toBe('weekly');
    const audit = await adminSql()<{ action: string; details: Record<string, unknown> }[]>`
      select action, details from public.audit_log where org_id = ${orgA.id} and target_id = ${channel.id} and action = 'notification_channel.report'`;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ frequency: 'weekly', hour: 6, weekday: 5, previous: { frequency: 'off' } });
    expect(channelReportSchema.safeParse({ channelId: channel.id, frequency: 'hourly', hour: 6, weekday: 1 }).success).toBe(false);
    expect(channelReportSchema.safeParse({ channelId: channel.id, frequency: 'daily', hour: 24, weekday: 1 }).success).toBe(false);
    expect(channelReportSchema.safeParse({ channelId: channel.id, frequency: 'weekly', hour: 6, weekday: 0 }).success).toBe(false);
  });
});
