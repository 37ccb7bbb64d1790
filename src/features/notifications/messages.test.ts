import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '@/features/alerts/events';
import { generateKeyEntry, parseKeyring, decryptChannelSecret, encryptChannelSecret, VaultError } from '@/lib/vault';
import { DEFAULT_RETRY_POLICY, retryDelaySeconds } from './delivery';
import { alertEventData, digestPayload, emailContent, signatureHeader, slackBody, webhookBody, webhookJsonBody, type DeliveryMessage, type ReportData } from './messages';
import { parseRetryAfter } from './senders';

const ORG = '11111111-1111-4111-8111-111111111111';
const CHANNEL = '22222222-2222-4222-8222-222222222222';

function event(i: number, type: AlertEvent['type'] = 'fired'): AlertEvent {
  return {
    type,
    alertId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    orgId: ORG,
    ruleId: '33333333-3333-4333-8333-333333333333',
    ruleName: 'Battery low',
    severity: 'warning',
    deviceId: null,
    thingName: `thing-${i}`,
    summary: `battery ${i} % (below 15 % for 10 min)`,
    value: i,
    at: '2026-12-08T00:00:00.000Z',
    channelIds: [CHANNEL],
  };
}

const message = (payload: DeliveryMessage['payload']): DeliveryMessage => ({ id: 'd-1', kind: 'alert', orgId: ORG, createdAt: '2026-12-08T00:00:01.000Z', payload });

describe('webhook signature', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>"> and verifies as the README shows', () => {
    const body = webhookBody(message({ event: event(1) }), 'json');
    const header = signatureHeader('whsec_test', body, 1_765_000_000);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(match).not.toBeNull();
    const expected = createHmac('sha256', 'whsec_test').update(`${match![1]}.${body}`).digest();
    expect(timingSafeEqual(Buffer.from(match![2]!, 'hex'), expected)).toBe(true);
    // Another secret, body or timestamp gives another signature.
    expect(signatureHeader('whsec_other', body, 1_765_000_000)).not.toBe(header);
    expect(signatureHeader('whsec_test', `${body} `, 1_765_000_000)).not.toBe(header);
    expect(signatureHeader('whsec_test', body, 1_765_000_001)).not.toBe(header);
  });
});

describe('message bodies', () => {
  it('the JSON body wraps the stored payload with a type; the channel routing is not in it', () => {
    const body = webhookJsonBody(message({ event: alertEventData(event(3)) }));
    expect(body).toMatchObject({ id: 'd-1', type: 'alert.fired', orgId: ORG, data: { event: { thingName: 'thing-3', severity: 'warning' } } });
    expect(body).not.toHaveProperty('data.event.channelIds');
  });

  it('the Slack format has text and blocks', () => {
    const body = slackBody(message({ event: event(4, 'resolved') })) as { text: string; blocks: Array<{ type: string }> };
    expect(body.text).toBe('Fleetline: Resolved [warning]: Battery low on thing-4');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(JSON.stringify(body.blocks[1])).toContain('RESOLVED Battery low on thing-4: battery 4 %');
  });

  it('a digest counts fired and resolved, lists at most 100 events and says how many more', () => {
    const events = [...Array.from({ length: 120 }, (_, i) => event(i)), event(200, 'resolved')];
    const payload = digestPayload(events);
    expect(payload).toMatchObject({ digest: { count: 121, fired: 120, resolved: 1, omitted: 21 } });
    expect('digest' in payload && payload.digest.events).toHaveLength(100);
    const mail = emailContent(message(payload));
    expect(mail.subject).toBe('[Fleetline] 121 alert changes (120 fired, 1 resolved)');
    expect(mail.text).toContain('…and 21 more.');
  });
});

describe('retries', () => {
  it('back off exponentially, honour a longer Retry-After, and stay under the cap', () => {
    const policy = DEFAULT_RETRY_POLICY;
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(policy, n))).toEqual([30, 60, 120, 240, 480]);
    expect(retryDelaySeconds(policy, 1, 300)).toBe(300);
    expect(retryDelaySeconds(policy, 3, 5)).toBe(120);
    expect(retryDelaySeconds(policy, 20)).toBe(3600);
    expect(retryDelaySeconds(policy, 1, 86_400)).toBe(3600);
  });

  it('read Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-08T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Tue, 08 Dec 2026 00:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe('channel secrets in the vault', () => {
  it('decrypt only for the channel row they were encrypted for, and never as integration credentials', () => {
    const keyring = parseKeyring(generateKeyEntry('k1'));
    const token = encryptChannelSecret(keyring, { orgId: ORG, channelId: CHANNEL }, 'whsec_0123456789abcdef');
    expect(token).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(decryptChannelSecret(keyring, { orgId: ORG, channelId: CHANNEL }, token)).toBe('whsec_0123456789abcdef');
    expect(() => decryptChannelSecret(keyring, { orgId: ORG, channelId: ORG }, token)).toThrow(VaultError);
    expect(() => decryptChannelSecret(keyring, { orgId: CHANNEL, channelId: CHANNEL }, token)).toThrow(/another channel/);
  });
});

describe('fleet reports', () => {
  const report: ReportData = {
    frequency: 'daily',
    periodStart: '2026-12-07T08:00:00.000Z',
    periodEnd: '2026-12-08T08:00:00.000Z',
    generatedAt: '2026-12-08T08:00:12.000Z',
    org: { name: 'Acme <Fleet>', slug: 'acme' },
    overviewUrl: 'https://fleet.example.com/acme',
    devices: { total: 10, online: 6, offline: 3, stale: 1, unknown: 0 },
    firmware: { items: [{ version: '1.2.0', count: 6 }, { version: '<script>1</script>', count: 2 }], other: 1, missing: 1, total: 10 },
    otaJobs: { active: 1, items: [{ jobId: 'rollout-7', status: 'IN_PROGRESS', total: 10, succeeded: 4, failed: 1, inProgress: 2, queued: 3 }] },
    alerts: { opened: 5, resolved: 2, open: { critical: 1, warning: 2, info: 0 } },
  };
  const reportMessage: DeliveryMessage = { id: 'd-9', kind: 'report', orgId: ORG, createdAt: '2026-12-08T08:00:12.000Z', payload: { report } };

  it('e-mail: subject, text with every number, and HTML tables with tenant strings escaped', () => {
    const mail = emailContent(reportMessage);
    expect(mail.subject).toBe('[Fleetline] Daily fleet report for Acme <Fleet>');
    expect(mail.text).toContain('Fleet health: 10 devices (6 online, 3 offline, 1 stale, 0 unknown)');
    expect(mail.text).toContain('Alerts in the period: 5 opened, 2 resolved');
    expect(mail.text).toContain('Open alerts now: 1 critical, 2 warning, 0 info');
    expect(mail.text).toContain('  1.2.0: 6 (60 %)');
    expect(mail.text).toContain('  other versions: 1 (10 %)');
    expect(mail.text).toContain('  none reported: 1 (10 %)');
    expect(mail.text).toContain('rollout-7 (IN_PROGRESS): 4/10 succeeded, 1 failed, 2 in progress, 3 queued');
    expect(mail.text).toContain('2026-12-07 08:00 UTC → 2026-12-08 08:00 UTC');
    expect(mail.text).toContain('Overview: https://fleet.example.com/acme');
    expect(mail.html).toContain('<table');
    expect(mail.html).toContain('&lt;script&gt;1&lt;/script&gt;');
    expect(mail.html).toContain('Acme &lt;Fleet&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('href="https://fleet.example.com/acme"');
    // The inline firmware bar: 6 of 10 devices is 72 of 120 px.
    expect(mail.html).toContain('width:72px');
  });

  it('webhooks: a JSON `report` envelope, and a Slack body with the same lines', () => {
    expect(webhookJsonBody(reportMessage)).toEqual({ id: 'd-9', type: 'report', createdAt: reportMessage.createdAt, orgId: ORG, data: { report } });
    const slack = slackBody(reportMessage) as { text: string; blocks: Array<{ text?: { text: string } }> };
    expect(slack.text).toBe('Fleetline: Daily fleet report for Acme <Fleet>');
    expect(slack.blocks[1]!.text!.text).toContain('Fleet health: 10 devices');
  });

  it('alert e-mails stay text-only', () => {
    expect(emailContent(message({ event: alertEventData(event(1)) })).html).toBeUndefined();
  });
});
