import { createHmac } from 'node:crypto';
import type { AlertEvent } from '@/features/alerts/events';
import type { DeliveryKind, WebhookFormat } from './schemas';

/**
 * What a delivery says, built from its stored payload at send time: the webhook JSON body (signed),
 * the Slack-compatible body, and the e-mail. Pure, so each shape is unit-tested.
 */

/** An alert event as a delivery stores it (the rule's routing is not part of the message). */
export type AlertEventData = Omit<AlertEvent, 'channelIds'>;

/** A digest lists at most this many events; the rest are counted. */
export const DIGEST_LIST_LIMIT = 100;

export type DeliveryPayload =
  | { event: AlertEventData }
  | { digest: { count: number; fired: number; resolved: number; events: AlertEventData[]; omitted: number } }
  | { test: { message: string; channelName: string } };

export function alertEventData(event: AlertEvent): AlertEventData {
  return {
    type: event.type,
    alertId: event.alertId,
    orgId: event.orgId,
    ruleId: event.ruleId,
    ruleName: event.ruleName,
    severity: event.severity,
    deviceId: event.deviceId,
    thingName: event.thingName,
    summary: event.summary,
    value: event.value,
    at: event.at,
  };
}

export function digestPayload(events: AlertEvent[]): DeliveryPayload {
  const fired = events.filter((e) => e.type === 'fired').length;
  return {
    digest: {
      count: events.length,
      fired,
      resolved: events.length - fired,
      events: events.slice(0, DIGEST_LIST_LIMIT).map(alertEventData),
      omitted: Math.max(0, events.length - DIGEST_LIST_LIMIT),
    },
  };
}

export interface DeliveryMessage {
  id: string;
  kind: DeliveryKind;
  orgId: string;
  createdAt: string;
  payload: DeliveryPayload;
}

export function eventType(message: Pick<DeliveryMessage, 'payload'>): string {
  const { payload } = message;
  if ('event' in payload) return `alert.${payload.event.type}`;
  if ('digest' in payload) return 'alert.digest';
  return 'test';
}

function subjectOf(event: AlertEventData): string {
  return event.thingName ? `${event.ruleName} on ${event.thingName}` : event.ruleName;
}

function lineOf(event: AlertEventData): string {
  const verb = event.type === 'fired' ? 'FIRING' : 'RESOLVED';
  return `[${event.severity.toUpperCase()}] ${verb} ${subjectOf(event)}: ${event.summary} (${event.at})`;
}

/** One-line headline, shared by the e-mail subject and Slack's text. */
export function headline(message: Pick<DeliveryMessage, 'payload'>): string {
  const { payload } = message;
  if ('event' in payload) {
    const e = payload.event;
    return `${e.type === 'fired' ? 'Alert' : 'Resolved'} [${e.severity}]: ${subjectOf(e)}`;
  }
  if ('digest' in payload) {
    const d = payload.digest;
    return `${d.count} alert changes (${d.fired} fired, ${d.resolved} resolved)`;
  }
  return `Test notification for “${payload.test.channelName}”`;
}

/** Plain-text body, shared by e-mail and Slack blocks. */
export function bodyLines(message: Pick<DeliveryMessage, 'payload'>): string[] {
  const { payload } = message;
  if ('event' in payload) return [lineOf(payload.event)];
  if ('digest' in payload) {
    const d = payload.digest;
    const lines = d.events.map(lineOf);
    if (d.omitted > 0) lines.push(`…and ${d.omitted} more.`);
    return lines;
  }
  return [payload.test.message];
}

/** The JSON webhook body: a stable envelope around the stored payload. */
export function webhookJsonBody(message: DeliveryMessage): Record<string, unknown> {
  return { id: message.id, type: eventType(message), createdAt: message.createdAt, orgId: message.orgId, data: message.payload };
}

/** A Slack incoming-webhook body ({text, blocks}); `text` is the notification fallback. */
export function slackBody(message: DeliveryMessage): Record<string, unknown> {
  const text = `Fleetline: ${headline(message)}`;
  const lines = bodyLines(message);
  // Slack caps a section's text at 3000 characters and a message at 50 blocks.
  const detail = lines.join('\n').slice(0, 2900);
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: text.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: detail || ' ' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${eventType(message)} · delivery ${message.id}` }] },
    ],
  };
}

export function webhookBody(message: DeliveryMessage, format: WebhookFormat): string {
  return JSON.stringify(format === 'slack' ? slackBody(message) : webhookJsonBody(message));
}

export function emailContent(message: DeliveryMessage): { subject: string; text: string } {
  return {
    subject: `[Fleetline] ${headline(message)}`.slice(0, 200),
    text: [...bodyLines(message), '', `Delivery ${message.id} · ${eventType(message)}`].join('\n'),
  };
}

export const SIGNATURE_HEADER = 'Fleetline-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the timestamp is signed with the
 * body, so a receiver that checks both rejects replays older than its tolerance.
 */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}
