import type { Tx } from '@/lib/db';
import type { ChannelKind, DeliveryKind, DeliveryStatus, ReportFrequency, WebhookFormat } from './schemas';

/** Reads of notification channels and their delivery log, as the member (RLS applies). */

export interface ChannelDto {
  id: string;
  name: string;
  kind: ChannelKind;
  recipients: string[] | null;
  /** Scheme and host of the webhook URL; the URL itself is not readable by members. */
  urlHint: string | null;
  format: WebhookFormat;
  enabled: boolean;
  /** Scheduled fleet report (UTC): off, or daily/weekly at `hour`, weekly on ISO `weekday`. */
  report: { frequency: ReportFrequency; hour: number; weekday: number };
  createdAt: string;
}

interface ChannelRow {
  id: string;
  name: string;
  kind: ChannelKind;
  email_recipients: string[] | null;
  webhook_url_hint: string | null;
  webhook_format: WebhookFormat;
  enabled: boolean;
  report_frequency: ReportFrequency;
  report_hour: number;
  report_weekday: number;
  created_at: Date;
}

export function toChannelDto(row: ChannelRow): ChannelDto {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    recipients: row.email_recipients,
    urlHint: row.webhook_url_hint,
    format: row.webhook_format,
    enabled: row.enabled,
    report: { frequency: row.report_frequency, hour: row.report_hour, weekday: row.report_weekday },
    createdAt: row.created_at.toISOString(),
  };
}

export async function listChannels(db: Tx, orgId: string): Promise<{ items: ChannelDto[]; nextCursor: null }> {
  const rows = await db<ChannelRow[]>`
    select id, name, kind, email_recipients, webhook_url_hint, webhook_format, enabled, report_frequency, report_hour, report_weekday, created_at
    from public.notification_channels where org_id = ${orgId} order by lower(name)`;
  return { items: rows.map(toChannelDto), nextCursor: null };
}

export async function getChannel(db: Tx, orgId: string, channelId: string): Promise<ChannelDto | null> {
  const [row] = await db<ChannelRow[]>`
    select id, name, kind, email_recipients, webhook_url_hint, webhook_format, enabled, report_frequency, report_hour, report_weekday, created_at
    from public.notification_channels where org_id = ${orgId} and id = ${channelId}`;
  return row ? toChannelDto(row) : null;
}

export interface DeliveryDto {
  id: string;
  channelId: string;
  alertId: string | null;
  kind: DeliveryKind;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/**
 * The delivery log of one channel, newest first, keyset-paginated on (created_at, id). The cursor
 * keeps Postgres's microseconds (a JS Date has milliseconds; one batch shares one created_at), and is
 * bound as text so the driver does not round it through a Date.
 */
export async function listDeliveries(
  db: Tx,
  args: { orgId: string; channelId: string; cursor?: { createdAt: string; id: string } | null; limit?: number },
): Promise<{ items: DeliveryDto[]; nextCursor: { createdAt: string; id: string } | null }> {
  const limit = Math.min(Math.max(args.limit ?? 50, 1), 200);
  const rows = await db<
    { id: string; channel_id: string; alert_id: string | null; kind: DeliveryKind; status: DeliveryStatus; attempts: number; last_status_code: number | null; last_error: string | null; next_attempt_at: Date | null; created_at: Date; cursor_at: string; delivered_at: Date | null }[]
  >`
    select id, channel_id, alert_id, kind, status, attempts, last_status_code, last_error, next_attempt_at, created_at, delivered_at,
           to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
    from public.notification_deliveries
    where org_id = ${args.orgId} and channel_id = ${args.channelId}
      ${args.cursor ? db`and (created_at, id) < (${args.cursor.createdAt}::text::timestamptz, ${args.cursor.id}::uuid)` : db``}
    order by created_at desc, id desc
    limit ${limit + 1}`;
  const items = rows.slice(0, limit).map((r) => ({
    id: r.id,
    channelId: r.channel_id,
    alertId: r.alert_id,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    deliveredAt: r.delivered_at?.toISOString() ?? null,
  }));
  const last = rows[limit - 1];
  return { items, nextCursor: rows.length > limit && last ? { createdAt: last.cursor_at, id: last.id } : null };
}

export interface LastDeliveryDto {
  status: DeliveryStatus;
  createdAt: string;
}

/** The newest delivery of each channel of the organization (one index probe per channel). */
export async function listLastDeliveries(db: Tx, orgId: string): Promise<Record<string, LastDeliveryDto>> {
  const rows = await db<{ channel_id: string; status: DeliveryStatus; created_at: Date }[]>`
    select c.id as channel_id, d.status, d.created_at
    from public.notification_channels c
    cross join lateral (
      select status, created_at from public.notification_deliveries d
      where d.org_id = c.org_id and d.channel_id = c.id
      order by created_at desc limit 1
    ) d
    where c.org_id = ${orgId}`;
  return Object.fromEntries(rows.map((r) => [r.channel_id, { status: r.status, createdAt: r.created_at.toISOString() }]));
}
