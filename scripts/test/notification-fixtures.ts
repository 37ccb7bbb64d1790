import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertEvent } from '@/features/alerts/events';
import type { TestOrg } from './fixtures';

/** A webhook receiver on loopback that records every request and answers with a scripted status. */
export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

/** A status, headers, and how long to wait before answering. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedWebhook[];
  /** Answers in order; the last one repeats. */
  respond(...answers: Answer[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  let answers: Answer[] = [{ status: 200 }];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() });
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end('ok');
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/fleetline`,
    requests,
    respond: (...next) => {
      answers = next;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Verifies `Fleetline-Signature` the way a receiver would (independently of the app's signer). */
export function verifyFleetlineSignature(secret: string, header: string | undefined, body: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function alertEvent(org: TestOrg, channelIds: string[], overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    type: 'fired',
    alertId: randomUUID(),
    orgId: org.id,
    ruleId: randomUUID(),
    ruleName: 'Battery low',
    severity: 'warning',
    deviceId: randomUUID(),
    thingName: `thing-${randomUUID().slice(0, 6)}`,
    summary: 'battery 12 % (below 15 % for 10 min)',
    value: 12,
    at: new Date().toISOString(),
    channelIds,
    ...overrides,
  };
}
