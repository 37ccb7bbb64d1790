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
  | { test: { message: string; channelName: string } }
  | { report: ReportData };

/**
 * A scheduled fleet report as its delivery stores it: the overview's numbers when the period ended
 * and the alerts of the period. Tenant data only (names, counts, versions): no secret or address.
 */
export interface ReportData {
  frequency: 'daily' | 'weekly';
  periodStart: string;
  periodEnd: string;
  generatedAt: string;
  org: { name: string; slug: string };
  /** The overview on the configured public app URL. */
  overviewUrl: string;
  devices: { total: number; online: number; offline: number; stale: number; unknown: number };
  /** The overview's top firmware versions, the rest as `other`, devices reporting none as `missing`. */
  firmware: { items: Array<{ version: string; count: number }>; other: number; missing: number; total: number };
  /** Active (in progress or scheduled) OTA jobs, the overview's newest few. */
  otaJobs: { active: number; items: Array<{ jobId: string; status: string; total: number; succeeded: number; failed: number; inProgress: number; queued: number }> };
  alerts: { opened: number; resolved: number; open: { critical: number; warning: number; info: number } };
}

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
  if ('report' in payload) return 'report';
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
  if ('report' in payload) return `${payload.report.frequency === 'daily' ? 'Daily' : 'Weekly'} fleet report for ${payload.report.org.name}`;
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
  if ('report' in payload) return reportLines(payload.report);
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

export function emailContent(message: DeliveryMessage): { subject: string; text: string; html?: string } {
  const footer = `Delivery ${message.id} · ${eventType(message)}`;
  return {
    subject: `[Fleetline] ${headline(message)}`.slice(0, 200),
    text: [...bodyLines(message), '', footer].join('\n'),
    ...('report' in message.payload ? { html: reportHtml(message.payload.report, footer) } : {}),
  };
}

// Fleet reports ------------------------------------------------------------------------------------

/** `2026-12-08 08:00 UTC`: reports are scheduled in UTC, so they say so. */
function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)} %` : '0 %';
}

/** Firmware rows as the overview shows them: the top versions, then "other" and "none reported". */
function firmwareRows(report: ReportData): Array<{ label: string; count: number }> {
  const rows = report.firmware.items.map((f) => ({ label: f.version, count: f.count }));
  if (report.firmware.other > 0) rows.push({ label: 'other versions', count: report.firmware.other });
  if (report.firmware.missing > 0) rows.push({ label: 'none reported', count: report.firmware.missing });
  return rows;
}

function jobLine(job: ReportData['otaJobs']['items'][number]): string {
  return `${job.jobId} (${job.status}): ${job.succeeded}/${job.total} succeeded, ${job.failed} failed, ${job.inProgress} in progress, ${job.queued} queued`;
}

export function reportLines(report: ReportData): string[] {
  const d = report.devices;
  const open = report.alerts.open;
  const lines = [
    `${report.org.name}: ${report.frequency} report for ${utc(report.periodStart)} → ${utc(report.periodEnd)}`,
    '',
    `Fleet health: ${d.total} devices (${d.online} online, ${d.offline} offline, ${d.stale} stale, ${d.unknown} unknown)`,
    `Alerts in the period: ${report.alerts.opened} opened, ${report.alerts.resolved} resolved`,
    `Open alerts now: ${open.critical} critical, ${open.warning} warning, ${open.info} info`,
    '',
    'Firmware:',
    ...(report.firmware.total === 0 ? ['  no devices'] : firmwareRows(report).map((r) => `  ${r.label}: ${r.count} (${percent(r.count, report.firmware.total)})`)),
    '',
    `OTA jobs: ${report.otaJobs.active} active`,
    ...report.otaJobs.items.map((j) => `  ${jobLine(j)}`),
  ];
  if (report.otaJobs.active > report.otaJobs.items.length) lines.push(`  …and ${report.otaJobs.active - report.otaJobs.items.length} more.`);
  lines.push('', `Overview: ${report.overviewUrl}`);
  return lines;
}

/** Every tenant-supplied string (names, versions, job ids) goes through this before it is HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const cell = 'style="padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:left"';
const num = 'style="padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:right"';

function table(head: string[], rows: string[][], numeric: number[] = []): string {
  const th = head.map((h, i) => `<th ${numeric.includes(i) ? num : cell}>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td ${numeric.includes(i) ? num : cell}>${c}</td>`).join('')}</tr>`).join('');
  return `<table style="border-collapse:collapse;margin:8px 0 16px">${th ? `<tr>${th}</tr>` : ''}${body}</table>`;
}

/** A plain inline bar (a table cell width), which mail clients render without images or CSS files. */
function bar(part: number, whole: number): string {
  const width = whole > 0 ? Math.max(1, Math.round((part / whole) * 120)) : 0;
  return `<span style="display:inline-block;height:10px;width:${width}px;background:#2563eb;border-radius:2px"></span>`;
}

export function reportHtml(report: ReportData, footer: string): string {
  const d = report.devices;
  const open = report.alerts.open;
  const n = (value: number) => String(value);
  const firmware =
    report.firmware.total === 0
      ? '<p>No devices.</p>'
      : table(['Version', 'Devices', 'Share', ''], firmwareRows(report).map((r) => [escapeHtml(r.label), n(r.count), percent(r.count, report.firmware.total), bar(r.count, report.firmware.total)]), [1, 2]);
  const jobs =
    report.otaJobs.items.length === 0
      ? '<p>No active OTA jobs.</p>'
      : table(
          ['Job', 'Status', 'Succeeded', 'Failed', 'In progress', 'Queued'],
          report.otaJobs.items.map((j) => [escapeHtml(j.jobId), escapeHtml(j.status), `${j.succeeded}/${j.total}`, n(j.failed), n(j.inProgress), n(j.queued)]),
          [2, 3, 4, 5],
        );
  return [
    '<!doctype html><html><body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#111827;font-size:14px">',
    `<h1 style="font-size:18px">${escapeHtml(headline({ payload: { report } }))}</h1>`,
    `<p>${escapeHtml(`${utc(report.periodStart)} → ${utc(report.periodEnd)}`)}</p>`,
    '<h2 style="font-size:15px">Fleet health</h2>',
    table(['Devices', 'Online', 'Offline', 'Stale', 'Unknown'], [[n(d.total), n(d.online), n(d.offline), n(d.stale), n(d.unknown)]], [0, 1, 2, 3, 4]),
    '<h2 style="font-size:15px">Alerts</h2>',
    table(['Opened in the period', 'Resolved in the period', 'Open critical', 'Open warning', 'Open info'], [[n(report.alerts.opened), n(report.alerts.resolved), n(open.critical), n(open.warning), n(open.info)]], [0, 1, 2, 3, 4]),
    '<h2 style="font-size:15px">Firmware</h2>',
    firmware,
    `<h2 style="font-size:15px">OTA jobs (${report.otaJobs.active} active)</h2>`,
    jobs,
    `<p><a href="${escapeHtml(report.overviewUrl)}">Open the overview</a></p>`,
    `<p style="color:#6b7280;font-size:12px">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
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
