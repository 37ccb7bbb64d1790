import type postgres from 'postgres';
import { z } from 'zod';
import type { Tx } from '@/lib/db';
import type { DeviceFilter } from '@/features/devices/filters';
import type { AlertSeverity } from './events';
import { ALERT_SEVERITIES } from './events';
import { listAlertsSchema, type AlertCondition, type AlertRuleKind, type AlertState, type ListAlertsInput } from './schemas';

/** Reads for rules and alerts: explicit columns, org-filtered (RLS applies too under asUser). */

type Db = Tx | postgres.Sql;

export interface AlertRuleDto {
  id: string;
  name: string;
  description: string | null;
  kind: AlertRuleKind;
  severity: AlertSeverity;
  filter: DeviceFilter;
  condition: AlertCondition;
  forSeconds: number;
  enabled: boolean;
  snoozedUntil: Date | null;
  channelIds: string[];
  openAlerts: number;
  createdAt: Date;
  updatedAt: Date;
}

function selectRules(db: Db, orgId: string, ruleId: string | null) {
  return db<AlertRuleDto[]>`
    select r.id, r.name, r.description, r.kind, r.severity, r.filter, r.condition, r.for_seconds as "forSeconds", r.enabled,
           r.snoozed_until as "snoozedUntil", r.channel_ids as "channelIds", r.created_at as "createdAt", r.updated_at as "updatedAt",
           (select count(*)::int from public.alerts a where a.org_id = r.org_id and a.rule_id = r.id and a.state in ('firing', 'acknowledged')) as "openAlerts"
    from public.alert_rules r
    where r.org_id = ${orgId} ${ruleId ? db`and r.id = ${ruleId}` : db``}
    order by r.name, r.id`;
}

/** Every rule of the organization (a few hundred at most), by name. */
export async function listRules(db: Db, orgId: string): Promise<{ items: AlertRuleDto[]; nextCursor: null }> {
  return { items: await selectRules(db, orgId, null), nextCursor: null };
}

export async function getRule(db: Db, orgId: string, ruleId: string): Promise<AlertRuleDto | null> {
  return (await selectRules(db, orgId, ruleId))[0] ?? null;
}

export interface AlertDto {
  id: string;
  ruleId: string;
  ruleName: string;
  kind: AlertRuleKind;
  state: AlertState;
  severity: AlertSeverity;
  deviceId: string | null;
  thingName: string | null;
  subjectKey: string;
  summary: string;
  lastValue: number | null;
  flapping: boolean;
  conditionSince: Date;
  firedAt: Date | null;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

/** Keyset position: the row's created_at as exact UTC text (microseconds; bound as text, a Date would drop them) and its id. Base64url JSON. */
const cursorSchema = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), z.uuid()]);

export function encodeAlertCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeAlertCursor(cursor: string): [string, string] | null {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Alerts newest first (pending ones are not shown: their condition has not held long enough yet). */
export async function listAlerts(db: Db, orgId: string, raw: ListAlertsInput = {}): Promise<{ items: AlertDto[]; nextCursor: string | null }> {
  const input = listAlertsSchema.parse(raw);
  const after = input.cursor ? decodeAlertCursor(input.cursor) : null;
  const states = input.state ?? ['firing', 'acknowledged', 'resolved'];
  const rows = await db<(AlertDto & { key: string })[]>`
    select a.id, a.rule_id as "ruleId", r.name as "ruleName", r.kind, a.state, a.severity, a.device_id as "deviceId", d.thing_name as "thingName",
           a.subject_key as "subjectKey", a.summary, a.last_value as "lastValue", a.flapping, a.condition_since as "conditionSince",
           a.fired_at as "firedAt", a.acknowledged_at as "acknowledgedAt", a.resolved_at as "resolvedAt", a.details, a.created_at as "createdAt",
           to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as key
    from public.alerts a
    join public.alert_rules r on r.id = a.rule_id and r.org_id = a.org_id
    left join public.devices d on d.id = a.device_id and d.org_id = a.org_id
    where a.org_id = ${orgId} and a.state = any(${states}::public.alert_state[])
      ${input.severity ? db`and a.severity = any(${input.severity}::public.alert_severity[])` : db``}
      ${input.ruleId ? db`and a.rule_id = ${input.ruleId}` : db``}
      ${input.deviceId ? db`and a.device_id = ${input.deviceId}` : db``}
      ${after ? db`and (a.created_at, a.id) < (${after[0]}::text::timestamptz, ${after[1]}::uuid)` : db``}
    order by a.created_at desc, a.id desc
    limit ${input.limit + 1}`;
  const more = rows.length > input.limit;
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ key: _key, ...dto }) => dto),
    nextCursor: more && last ? encodeAlertCursor(last.key, last.id) : null,
  };
}

/** Open (firing or acknowledged) alerts by severity, for the overview. */
export async function openAlertCounts(db: Db, orgId: string): Promise<Record<AlertSeverity, number>> {
  const rows = await db<{ severity: AlertSeverity; n: number }[]>`
    select severity, count(*)::int as n from public.alerts
    where org_id = ${orgId} and state in ('firing', 'acknowledged') group by severity`;
  const counts = Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, 0])) as Record<AlertSeverity, number>;
  for (const r of rows) counts[r.severity] = r.n;
  return counts;
}

/**
 * Alerts that fired, and alerts that resolved, in [from, to): the alert activity of a period (the
 * scheduled fleet report). Pending alerts that never fired do not count.
 */
export async function alertActivity(db: Db, orgId: string, period: { from: Date; to: Date }): Promise<{ opened: number; resolved: number }> {
  const [row] = await db<{ opened: number; resolved: number }[]>`
    select count(*) filter (where fired_at >= ${period.from} and fired_at < ${period.to})::int as opened,
           count(*) filter (where resolved_at >= ${period.from} and resolved_at < ${period.to})::int as resolved
    from public.alerts
    where org_id = ${orgId}
      and (fired_at >= ${period.from} and fired_at < ${period.to} or resolved_at >= ${period.from} and resolved_at < ${period.to})`;
  return { opened: row?.opened ?? 0, resolved: row?.resolved ?? 0 };
}

/** The bell: firing alerts that fired after the member last opened it. */
export async function unreadAlertCount(db: Db, orgId: string, userId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from public.alerts a
    where a.org_id = ${orgId} and a.state = 'firing'
      and a.fired_at > coalesce((select r.read_at from public.alert_reads r where r.org_id = ${orgId} and r.user_id = ${userId}), '-infinity'::timestamptz)`;
  return row?.n ?? 0;
}

/** A device's thing name for the alerts page's device filter chip (null when not this org's device). */
export async function getAlertDeviceLabel(db: Db, orgId: string, deviceId: string): Promise<string | null> {
  const [row] = await db<{ thingName: string }[]>`select thing_name as "thingName" from public.devices where org_id = ${orgId} and id = ${deviceId}`;
  return row?.thingName ?? null;
}
