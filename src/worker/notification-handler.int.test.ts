import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, type DeliveryDeps } from '@/features/notifications/delivery';
import { createChannel, enqueueWith, notifyAlertEvents, STORM_THRESHOLD } from '@/features/notifications/service';
import type { CreateChannelInput } from '@/features/notifications/schemas';
import { createMailer } from '@/features/notifications/senders';
import { asService, closeDatabase } from '@/lib/db';
import { createBoss, createQueues, QUEUES } from '@/lib/jobs/queues';
import { TEST_PORTS, STATE_DIR } from '../../scripts/stack/config';
import { listSinkEmails, startMailSink, type RunningMailSink } from '../../scripts/stack/mail';
import { evaluateAlerts } from '@/features/alerts/evaluate';
import { createRuleSchema } from '@/features/alerts/schemas';
import { createRule } from '@/features/alerts/service';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgContext, silentLog, testKeyring, uniqueSuffix, type TestOrg } from '../../scripts/test/fixtures';
import { alertEvent, startWebhookReceiver, verifyFleetlineSignature, type WebhookReceiver } from '../../scripts/test/notification-fixtures';
import { waitFor } from '../../scripts/test/sync-fixtures';
import { handleNotificationJob, sweepNotifications } from './notification-handler';
import path from 'node:path';

/**
 * Notifications end to end through the job queue: notifyAlertEvents writes deliveries and queues
 * them, a pg-boss worker runs handleNotificationJob, webhooks reach a local receiver (signed) and
 * e-mail reaches the MailDev sink, read back through its REST API.
 */
let org: TestOrg;
let boss: PgBoss;
let receiver: WebhookReceiver;
let sink: RunningMailSink;
const keyring = testKeyring();
// Short delays so the suite sees several attempts; the default policy is the documented one.
const retry = { maxAttempts: 3, baseDelaySeconds: 1, maxDelaySeconds: 5 };

beforeAll(async () => {
  org = await createTestOrg('notify-worker');
  receiver = await startWebhookReceiver();
  sink = await startMailSink({ smtpPort: TEST_PORTS.smtp, webPort: TEST_PORTS.mail, mailDirectory: path.join(STATE_DIR, `test-mail-${TEST_PORTS.smtp}`) });
  boss = createBoss({ schedule: false, supervise: true });
  await boss.start();
  await createQueues(boss);
  const deps = { db: asService, log: silentLog, keyring, mailer: createMailer(sink.smtpUrl), mailFrom: 'Fleetline <alerts@fleetline.test>', retry, boss } satisfies DeliveryDeps & { boss: PgBoss };
  await boss.work(QUEUES.notify, { batchSize: 5, pollingIntervalSeconds: 0.5 }, (jobs) => Promise.all(jobs.map((job) => handleNotificationJob(deps, job))));
});

afterAll(async () => {
  await boss?.stop({ graceful: false, close: false });
  await receiver?.close();
  await sink?.close();
  await closeAdminSql();
  await closeDatabase();
});

function newChannel(input: CreateChannelInput) {
  return as(org.members.admin, (db) => createChannel(orgContext(db, org, 'admin'), input, { keyring }));
}

const deliveryOf = (id: string) =>
  adminSql()<{ id: string; status: string; attempts: number; last_status_code: number | null; last_error: string | null; kind: string; payload: unknown }[]>`
    select id, status, attempts, last_status_code, last_error, kind, payload from public.notification_deliveries where channel_id = ${id} order by created_at`;

const notify = (events: Parameters<typeof notifyAlertEvents>[1]) => notifyAlertEvents(asService, events, { enqueue: enqueueWith(boss) });

describe('webhook deliveries', () => {
  it('reach the receiver with a body signed by the channel secret (verified independently)', async () => {
    receiver.respond({ status: 204 });
    receiver.requests.length = 0;
    const { channel, signingSecret } = await newChannel({ kind: 'webhook', name: 'Ops hook', url: receiver.url, format: 'json' });
    const event = alertEvent(org, [channel.id]);
    expect(await notify([event])).toEqual({ deliveries: 1 });
    const [request] = await waitFor(async () => receiver.requests.length > 0 && receiver.requests);
    expect(verifyFleetlineSignature(signingSecret!, request!.headers['fleetline-signature'] as string, request!.body)).toBe(true);
    expect(verifyFleetlineSignature('whsec_wrong', request!.headers['fleetline-signature'] as string, request!.body)).toBe(false);
    expect(request!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request!.body);
    expect(body).toMatchObject({ type: 'alert.fired', orgId: org.id, data: { event: { alertId: event.alertId, thingName: event.thingName, summary: event.summary } } });
    expect(body.data.event).not.toHaveProperty('channelIds');
    const [row] = await waitFor(async () => {
      const rows = await deliveryOf(channel.id);
      return rows[0]?.status === 'delivered' && rows;
    });
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 204, last_error: null, kind: 'alert' });
    expect(body.id).toBe(row!.id);
  });

  it('are retried on 500 and give up after the configured attempts, with the reason in the delivery row', async () => {
    receiver.respond({ status: 500 });
    receiver.requests.length = 0;
    const { channel } = await newChannel({ kind: 'webhook', name: 'Failing hook', url: receiver.url, format: 'json' });
    await notify([alertEvent(org, [channel.id])]);
    const [row] = await waitFor(async () => {
      const rows = await deliveryOf(channel.id);
      return rows[0]?.status === 'gave_up' && rows;
    }, 30_000);
    expect(row).toMatchObject({ attempts: retry.maxAttempts, last_status_code: 500, last_error: `HTTP 500; gave up after ${retry.maxAttempts} attempts` });
    expect(receiver.requests).toHaveLength(retry.maxAttempts);
    // Each retry waited its backoff (1 s, then 2 s) and carried the same delivery id.
    const times = receiver.requests.map((r) => r.receivedAt);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(1900);
    expect(new Set(receiver.requests.map((r) => r.headers['fleetline-delivery'])).size).toBe(1);
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(6);
  });

  it('honour Retry-After on 429, and a 4xx other than 408/429 gives up at once', async () => {
    receiver.respond({ status: 429, headers: { 'retry-after': '2' } }, { status: 200 });
    receiver.requests.length = 0;
    const { channel } = await newChannel({ kind: 'webhook', name: 'Throttled hook', url: receiver.url, format: 'slack' });
    await notify([alertEvent(org, [channel.id])]);
    const [row] = await waitFor(async () => {
      const rows = await deliveryOf(channel.id);
      return rows[0]?.status === 'delivered' && rows;
    }, 30_000);
    expect(row).toMatchObject({ attempts: 2, last_status_code: 200 });
    expect(receiver.requests[1]!.receivedAt - receiver.requests[0]!.receivedAt).toBeGreaterThanOrEqual(1900);
    expect(JSON.parse(receiver.requests[1]!.body)).toMatchObject({ text: expect.stringContaining('Fleetline: Alert [warning]'), blocks: expect.any(Array) });

    receiver.respond({ status: 404 });
    const gone = await newChannel({ kind: 'webhook', name: 'Gone hook', url: receiver.url, format: 'json' });
    await notify([alertEvent(org, [gone.channel.id])]);
    const [lost] = await waitFor(async () => {
      const rows = await deliveryOf(gone.channel.id);
      return rows[0]?.status === 'gave_up' && rows;
    });
    expect(lost).toMatchObject({ attempts: 1, last_status_code: 404, last_error: 'HTTP 404' });
  });
});

describe('e-mail deliveries', () => {
  it('arrive in the SMTP sink, to every recipient, with the alert in subject and text', async () => {
    const { channel } = await newChannel({ kind: 'email', name: 'On-call mail', recipients: ['oncall@example.test', 'lead@example.test'] });
    const event = alertEvent(org, [channel.id], { severity: 'critical', ruleName: 'Device offline', summary: 'offline for 12 min (over 10 min)' });
    await notify([event]);
    const mail = await waitFor(async () => (await listSinkEmails(sink.webUrl)).find((m) => m.subject.includes(event.thingName!)));
    expect(mail.subject).toBe(`[Fleetline] Alert [critical]: Device offline on ${event.thingName}`);
    expect(mail.to.map((t) => t.address).sort()).toEqual(['lead@example.test', 'oncall@example.test']);
    expect(mail.from[0]!.address).toBe('alerts@fleetline.test');
    expect(mail.text).toContain('offline for 12 min (over 10 min)');
    const [row] = await waitFor(async () => {
      const rows = await deliveryOf(channel.id);
      return rows[0]?.status === 'delivered' && rows;
    });
    expect(mail.headers['x-fleetline-delivery']).toBe(row!.id);
  });
});

describe('storms', () => {
  it(`more than ${STORM_THRESHOLD} events for one channel in one call become one digest; other channels are unaffected`, async () => {
    receiver.respond({ status: 200 });
    receiver.requests.length = 0;
    const hook = await newChannel({ kind: 'webhook', name: 'Storm hook', url: receiver.url, format: 'json' });
    const quiet = await newChannel({ kind: 'webhook', name: 'Quiet hook', url: receiver.url, format: 'json' });
    const disabled = await newChannel({ kind: 'webhook', name: 'Disabled hook', url: receiver.url, format: 'json' });
    await adminSql()`update public.notification_channels set enabled = false where id = ${disabled.channel.id}`;
    const storm = Array.from({ length: STORM_THRESHOLD + 15 }, () => alertEvent(org, [hook.channel.id, disabled.channel.id]));
    const other = [alertEvent(org, [quiet.channel.id, hook.channel.id]), alertEvent(org, [quiet.channel.id])];
    const otherOrg = await createTestOrg('notify-other');
    // A rule cannot route to another organization's channel, even by id.
    const foreign = alertEvent(otherOrg, [hook.channel.id]);
    expect(await notify([...storm, ...other, foreign])).toEqual({ deliveries: 3 });
    const [digest] = await waitFor(async () => {
      const rows = await deliveryOf(hook.channel.id);
      return rows[0]?.status === 'delivered' && rows;
    });
    expect(digest).toMatchObject({ kind: 'digest', payload: { digest: { count: STORM_THRESHOLD + 16, fired: STORM_THRESHOLD + 16, omitted: 0 } } });
    expect((await deliveryOf(quiet.channel.id)).map((r) => r.kind)).toEqual(['alert', 'alert']);
    expect(await deliveryOf(disabled.channel.id)).toEqual([]);
    await waitFor(async () => receiver.requests.length >= 3);
    const types = receiver.requests.map((r) => JSON.parse(r.body).type).sort();
    expect(types).toEqual(['alert.digest', 'alert.fired', 'alert.fired']);
  });
});

describe('a storm from one evaluation', () => {
  it('reaches an e-mail channel as one digest mail in the SMTP sink, listing the devices', async () => {
    const recipient = `storm-${uniqueSuffix()}@example.test`;
    const { channel } = await newChannel({ kind: 'email', name: `Storm mail ${uniqueSuffix()}`, recipients: [recipient] });
    const { id: integrationId } = await createTestIntegration(org);
    const group = `storm-${uniqueSuffix()}`;
    const now = new Date();
    const count = STORM_THRESHOLD + 5;
    const things = Array.from({ length: count }, (_, i) => `storm-${i}-${uniqueSuffix()}`);
    for (const thing of things) {
      await adminSql()`
        insert into public.devices (org_id, integration_id, thing_name, status, connectivity_changed_at, last_seen_at, sync_hash, groups)
        values (${org.id}, ${integrationId}, ${thing}, 'offline', ${new Date(now.getTime() - 30 * 60_000)}, ${now}, 'test', ${[group]})`;
    }
    const rule = createRuleSchema.parse({ name: `Storm offline ${uniqueSuffix()}`, severity: 'critical', filter: { group }, condition: { kind: 'offline', minutes: 10 }, channelIds: [channel.id] });
    await as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), rule));
    // Notified as the worker wires evaluation: its events go through notifyAlertEvents onto the queue.
    const events = await evaluateAlerts({ db: asService, log: silentLog, notify: (db, evs) => notifyAlertEvents(db, evs, { enqueue: enqueueWith(boss) }) }, { orgId: org.id, now });
    expect(events.filter((e) => e.type === 'fired')).toHaveLength(count);

    const [mail] = await waitFor(async () => {
      const mails = (await listSinkEmails(sink.webUrl)).filter((m) => m.to.some((t) => t.address === recipient));
      return mails.length > 0 && mails;
    });
    expect(mail!.subject).toBe(`[Fleetline] ${count} alert changes (${count} fired, 0 resolved)`);
    for (const thing of things) expect(mail!.text).toContain(thing);
    const [row] = await waitFor(async () => {
      const rows = await deliveryOf(channel.id);
      return rows[0]?.status === 'delivered' && rows;
    });
    expect(row).toMatchObject({ kind: 'digest', payload: { digest: { count, fired: count } } });
    expect(await deliveryOf(channel.id)).toHaveLength(1);
    expect((await listSinkEmails(sink.webUrl)).filter((m) => m.to.some((t) => t.address === recipient))).toHaveLength(1);
  });
});

describe('the sweep', () => {
  it('queues again a delivery whose job was lost, and one a worker left in `sending`', async () => {
    receiver.respond({ status: 200 });
    receiver.requests.length = 0;
    const { channel } = await newChannel({ kind: 'webhook', name: 'Swept hook', url: receiver.url, format: 'json' });
    // Written but never queued (as if the enqueue after commit had failed).
    await notifyAlertEvents(asService, [alertEvent(org, [channel.id]), alertEvent(org, [channel.id])], { enqueue: async () => undefined });
    const [lost, stuck] = await deliveryOf(channel.id);
    await adminSql()`update public.notification_deliveries set next_attempt_at = now() - interval '2 minutes' where id = ${lost!.id}`;
    await adminSql()`update public.notification_deliveries set status = 'sending', attempts = 1, last_attempt_at = now() - interval '11 minutes' where id = ${stuck!.id}`;
    expect(await sweepNotifications({ db: asService, boss, log: silentLog })).toBeGreaterThanOrEqual(1);
    // The stuck row is marked failed and due now; the next sweep a minute later picks it up too.
    await adminSql()`update public.notification_deliveries set next_attempt_at = now() - interval '2 minutes' where id = ${stuck!.id} and status = 'failed'`;
    await sweepNotifications({ db: asService, boss, log: silentLog });
    const rows = await waitFor(async () => {
      const all = await deliveryOf(channel.id);
      return all.every((r) => r.status === 'delivered') && all;
    });
    expect(rows.map((r) => [r.id, r.attempts]).sort()).toEqual([[lost!.id, 1], [stuck!.id, 2]].sort());
    expect(receiver.requests).toHaveLength(2);
  });
});

describe('a job ahead of its row', () => {
  it('is retried by the queue until the transaction that wrote the row commits', async () => {
    receiver.respond({ status: 200 });
    receiver.requests.length = 0;
    const { channel } = await newChannel({ kind: 'webhook', name: 'Early hook', url: receiver.url, format: 'json' });
    // A caller that queues inside its own transaction: the job is sent before the row is visible.
    await asService(async (tx) => {
      const [row] = await tx<{ id: string }[]>`
        insert into public.notification_deliveries (org_id, channel_id, kind, payload, next_attempt_at)
        values (${org.id}, ${channel.id}, 'test', ${tx.json({ test: { message: 'early', channelName: 'Early hook' } })}, now()) returning id`;
      await enqueueWith(boss)([row!.id]);
      await new Promise((resolve) => setTimeout(resolve, 1500));
    });
    const [row] = await waitFor(async () => {
      const rows = await deliveryOf(channel.id);
      return rows[0]?.status === 'delivered' && rows;
    }, 30_000);
    expect(row).toMatchObject({ attempts: 1 });
    expect(receiver.requests).toHaveLength(1);
  });
});
