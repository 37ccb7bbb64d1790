import { Writable } from 'node:stream';
import pino from 'pino';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { STRICT_POLICY } from '@/lib/net/outbound-guard';
import { adminSql, as, closeAdminSql, createTestOrg, orgContext, orgScopeFor, silentLog, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { alertEvent, startWebhookReceiver, verifyFleetlineSignature, type WebhookReceiver } from '../../../scripts/test/notification-fixtures';
import { deliverNotification, type DeliveryDeps } from './delivery';
import { listChannels, listDeliveries } from './queries';
import { createChannelSchema } from './schemas';
import { createChannel, deleteChannel, notifyAlertEvents, sendTestNotification, updateChannel } from './service';

/**
 * Channel services as the app calls them (admins only, audited), "send test", the outbound guard
 * on webhook URLs, and the signing secret staying out of payloads, logs, audit and members' reads.
 */
let org: TestOrg;
let receiver: WebhookReceiver;
const keyring = testKeyring();
const noQueue = { enqueue: async () => undefined };

beforeAll(async () => {
  org = await createTestOrg('notify-svc');
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await closeAdminSql();
  await closeDatabase();
});

/** As the action does: the schema parses (and normalises) the input, then the service runs as the user. */
function create(input: z.input<typeof createChannelSchema>, role: 'owner' | 'admin' | 'operator' | 'viewer' = 'admin', deps: Partial<Parameters<typeof createChannel>[2]> = {}) {
  const parsed = createChannelSchema.parse(input);
  return as(org.members[role], (db) => createChannel(orgContext(db, org, role), parsed, { keyring, ...deps }));
}

function deliveryDeps(overrides: Partial<DeliveryDeps> = {}): DeliveryDeps {
  return { db: asService, log: silentLog, keyring, mailer: null, mailFrom: 'Fleetline <alerts@fleetline.test>', ...overrides };
}

/** A logger whose output the test can search. */
function capturingLog() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
  return { log: pino({ level: 'trace' }, stream), text: () => lines.join('') };
}

describe('channels', () => {
  it('admins create, update and delete them, audited; operators and viewers are refused', async () => {
    const { channel, signingSecret } = await create({ kind: 'webhook', name: 'Pager', url: `${receiver.url}?token=abc`, format: 'json' });
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(channel).toMatchObject({ name: 'Pager', kind: 'webhook', urlHint: `${new URL(receiver.url).protocol}//${new URL(receiver.url).host}/…`, format: 'json', enabled: true, recipients: null });
    const mail = await create({ kind: 'email', name: 'Mail', recipients: ['A@Example.test', 'a@example.test'] }, 'owner');
    expect(mail.channel.recipients).toEqual(['a@example.test']);
    await expect(create({ kind: 'email', name: 'mail', recipients: ['b@example.test'] })).rejects.toMatchObject({ code: 'CONFLICT' });
    for (const role of ['operator', 'viewer'] as const) {
      await expect(create({ kind: 'email', name: `By ${role}`, recipients: ['c@example.test'] }, role)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    const updated = await as(org.members.admin, (db) => updateChannel(orgContext(db, org, 'admin'), { channelId: channel.id, name: 'Pager 2', enabled: false, format: 'slack' }, { keyring }));
    expect(updated).toMatchObject({ channel: { name: 'Pager 2', enabled: false, format: 'slack' }, signingSecret: null });
    await expect(as(org.members.admin, (db) => updateChannel(orgContext(db, org, 'admin'), { channelId: mail.channel.id, url: receiver.url }, { keyring }))).rejects.toMatchObject({ code: 'PRECONDITION' });
    const listed = await as(org.members.viewer, (db) => listChannels(db, org.id));
    expect(listed.items.map((c) => c.name).sort()).toEqual(['Mail', 'Pager 2']);
    await as(org.members.admin, (db) => deleteChannel(orgContext(db, org, 'admin'), { channelId: mail.channel.id }));
    const audit = await adminSql()<{ action: string; details: Record<string, unknown> }[]>`
      select action, details from public.audit_log where org_id = ${org.id} and target_type = 'notification_channel' order by created_at`;
    expect(audit.map((a) => a.action)).toEqual(['notification_channel.create', 'notification_channel.create', 'notification_channel.update', 'notification_channel.delete']);
    // The audit names the host, never the URL's path or query (a chat webhook URL is a credential) nor the secret.
    expect(JSON.stringify(audit)).not.toContain('token=abc');
    expect(JSON.stringify(audit)).not.toContain(signingSecret!);
  });

  it('rotating the secret signs from then on with the new one', async () => {
    receiver.respond({ status: 200 });
    const { channel, signingSecret } = await create({ kind: 'webhook', name: 'Rotating', url: receiver.url, format: 'json' });
    const rotated = await as(org.members.admin, (db) => updateChannel(orgContext(db, org, 'admin'), { channelId: channel.id, rotateSecret: true }, { keyring }));
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    receiver.requests.length = 0;
    const outcome = await sendTestNotification(orgScopeFor(org, 'admin'), { channelId: channel.id }, deliveryDeps());
    expect(outcome).toMatchObject({ status: 'delivered', attempts: 1, statusCode: 200 });
    const [request] = receiver.requests;
    expect(verifyFleetlineSignature(rotated.signingSecret!, request!.headers['fleetline-signature'] as string, request!.body)).toBe(true);
    expect(verifyFleetlineSignature(signingSecret!, request!.headers['fleetline-signature'] as string, request!.body)).toBe(false);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'test', data: { test: { channelName: 'Rotating' } } });
  });

  it('"send test" makes one attempt and reports a failure without retrying; it needs an admin', async () => {
    receiver.respond({ status: 503 });
    receiver.requests.length = 0;
    const { channel } = await create({ kind: 'webhook', name: 'Down', url: receiver.url, format: 'json' });
    const outcome = await sendTestNotification(orgScopeFor(org, 'admin'), { channelId: channel.id }, deliveryDeps());
    expect(outcome).toMatchObject({ status: 'gave_up', attempts: 1, statusCode: 503, error: 'HTTP 503; gave up after 1 attempt' });
    expect(receiver.requests).toHaveLength(1);
    await expect(sendTestNotification(orgScopeFor(org, 'operator'), { channelId: channel.id }, deliveryDeps())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const log = await as(org.members.viewer, (db) => listDeliveries(db, { orgId: org.id, channelId: channel.id }));
    expect(log.items).toMatchObject([{ kind: 'test', status: 'gave_up', attempts: 1, lastStatusCode: 503 }]);
    receiver.respond({ status: 200 });
  });

  it('an e-mail channel on a server without SMTP gives up saying so', async () => {
    const { channel } = await create({ kind: 'email', name: 'No SMTP', recipients: ['x@example.test'] });
    const outcome = await sendTestNotification(orgScopeFor(org, 'admin'), { channelId: channel.id }, deliveryDeps({ mailer: null }));
    expect(outcome).toMatchObject({ status: 'gave_up', error: 'E-mail is not configured on this server (SMTP_URL).' });
  });
});

describe('the outbound guard on webhook URLs', () => {
  it('refuses a private or loopback address under a policy without loopback, before any byte is sent', async () => {
    receiver.requests.length = 0;
    const { channel } = await create({ kind: 'webhook', name: 'Loopback', url: receiver.url, format: 'json' });
    const named = await create({ kind: 'webhook', name: 'Named loopback', url: receiver.url.replace('127.0.0.1', 'localhost'), format: 'json' });
    for (const id of [channel.id, named.channel.id]) {
      await notifyAlertEvents(asService, [alertEvent(org, [id])], noQueue);
      const [row] = await adminSql()<{ id: string }[]>`select id from public.notification_deliveries where channel_id = ${id}`;
      const outcome = await deliverNotification(deliveryDeps({ policy: STRICT_POLICY }), row!.id);
      // Refused for good: retrying would not change the address.
      expect(outcome).toMatchObject({ status: 'gave_up', attempts: 1, statusCode: null, error: 'This endpoint is not allowed.' });
    }
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses a literal private address when the channel is saved, and plain http in production', async () => {
    for (const url of ['http://10.0.0.5/hook', 'http://169.254.169.254/latest', 'http://[::1]:8080/x', 'http://0x7f000001/']) {
      await expect(create({ kind: 'webhook', name: `Bad ${url.length}`, url, format: 'json' }, 'admin', { policy: STRICT_POLICY })).rejects.toMatchObject({ code: 'PRECONDITION', fieldErrors: { url: ['This address is not allowed.'] } });
    }
    await expect(create({ kind: 'webhook', name: 'Plain http', url: 'http://hooks.example.com/x', format: 'json' }, 'admin', { production: true })).rejects.toMatchObject({ code: 'PRECONDITION', fieldErrors: { url: ['Use an https:// URL.'] } });
  });
});

describe('slow and misconfigured receivers', () => {
  it('a receiver slower than the timeout is a retryable failure; production refuses a saved http URL at send time', async () => {
    receiver.respond({ status: 200, delayMs: 1500 });
    const { channel } = await create({ kind: 'webhook', name: 'Slow', url: receiver.url, format: 'json' });
    await notifyAlertEvents(asService, [alertEvent(org, [channel.id])], noQueue);
    const [row] = await adminSql()<{ id: string }[]>`select id from public.notification_deliveries where channel_id = ${channel.id}`;
    const outcome = await deliverNotification(deliveryDeps({ webhookTimeoutMs: 300, retry: { baseDelaySeconds: 60 } }), row!.id);
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, statusCode: null, error: 'Timed out after 300 ms', retryInSeconds: 60 });
    // Not due yet: a second job for the same row does nothing.
    expect(await deliverNotification(deliveryDeps(), row!.id)).toEqual({ status: 'skipped', reason: 'not_claimable' });
    await adminSql()`update public.notification_deliveries set next_attempt_at = now() where id = ${row!.id}`;
    receiver.respond({ status: 200 });
    // Production takes plain http to loopback only where loopback is allowed (the local stack); here it is not.
    expect(await deliverNotification(deliveryDeps({ production: true, policy: STRICT_POLICY }), row!.id)).toMatchObject({ status: 'gave_up', attempts: 2, error: 'Webhook URLs must use https.' });
  });
});

describe('the delivery log', () => {
  it('pages newest first with a keyset cursor', async () => {
    const { channel } = await create({ kind: 'email', name: 'Paged', recipients: ['p@example.test'] });
    await notifyAlertEvents(asService, Array.from({ length: 5 }, () => alertEvent(org, [channel.id])), noQueue);
    const page = (cursor: { createdAt: string; id: string } | null) => as(org.members.viewer, (db) => listDeliveries(db, { orgId: org.id, channelId: channel.id, cursor, limit: 2 }));
    const seen: string[] = [];
    let cursor: { createdAt: string; id: string } | null = null;
    for (let i = 0; i < 5 && (i === 0 || cursor); i += 1) {
      const result = await page(cursor);
      seen.push(...result.items.map((d) => d.id));
      cursor = result.nextCursor;
    }
    const all = await adminSql()<{ id: string }[]>`select id from public.notification_deliveries where channel_id = ${channel.id} order by created_at desc, id desc`;
    expect(seen).toEqual(all.map((r) => r.id));
    expect(seen).toHaveLength(5);
    await adminSql()`delete from public.notification_channels where id = ${channel.id}`;
  });
});

describe('the signing secret', () => {
  it('never appears in a delivery payload, a log line or anything a member can select', async () => {
    receiver.respond({ status: 500 });
    const { channel, signingSecret } = await create({ kind: 'webhook', name: 'Secretive', url: receiver.url, format: 'json' });
    const { log, text } = capturingLog();
    await notifyAlertEvents(asService, [alertEvent(org, [channel.id])], noQueue);
    const [row] = await adminSql()<{ id: string }[]>`select id from public.notification_deliveries where channel_id = ${channel.id}`;
    await deliverNotification(deliveryDeps({ log, retry: { maxAttempts: 1 } }), row!.id);
    await sendTestNotification({ ...orgScopeFor(org, 'admin'), log }, { channelId: channel.id }, deliveryDeps({ log }));
    receiver.respond({ status: 200 });
    const [token] = await adminSql()<{ webhook_secret: string }[]>`select webhook_secret from public.notification_channels where id = ${channel.id}`;
    expect(token!.webhook_secret).toMatch(/^v1\./);
    expect(token!.webhook_secret).not.toContain(signingSecret!);
    const payloads = await adminSql()`select * from public.notification_deliveries where channel_id = ${channel.id}`;
    expect(payloads).toHaveLength(2);
    expect(text()).toContain('notification attempt');
    for (const persona of ['owner', 'admin', 'operator', 'viewer'] as const) {
      const seen = await as(org.members[persona], async (db) => ({
        channels: await db`select id, org_id, name, kind, email_recipients, webhook_url_hint, webhook_format, enabled from public.notification_channels where id = ${channel.id}`,
        deliveries: await db`select * from public.notification_deliveries where channel_id = ${channel.id}`,
      }));
      expect(seen.channels).toHaveLength(1);
      expect(seen.deliveries).toHaveLength(2);
      const dump = JSON.stringify(seen);
      expect(dump).not.toContain(signingSecret!);
      expect(dump).not.toContain(token!.webhook_secret);
      expect(dump).not.toContain('/hooks/fleetline');
    }
    for (const haystack of [JSON.stringify(payloads), text()]) {
      expect(haystack).not.toContain(signingSecret!);
      expect(haystack).not.toContain(token!.webhook_secret);
      expect(haystack).not.toContain('/hooks/fleetline');
    }
  });
});
