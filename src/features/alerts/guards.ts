import type postgres from 'postgres';
import type { Tx } from '@/lib/db';
import { describeCondition } from './describe';
import type { AlertEvent, AlertSeverity } from './events';
import { alertConditionSchema } from './schemas';

/**
 * What other features may ask of alerts to guard something with alert rules (the OTA health
 * guard): which rules can guard (those watching devices), which devices have an open alert of a
 * rule, and raising an alert instance of a rule about something else (a job the guard stopped).
 * Reads work under RLS (members read alert tables) and as service; the raise writes as service.
 */

/** Rule kinds whose alerts are about one device each: the only ones a device share can be taken of. */
export const GUARDABLE_RULE_KINDS = ['offline', 'threshold', 'anomaly'] as const;

export interface GuardableRuleDto {
  id: string;
  name: string;
  kind: (typeof GUARDABLE_RULE_KINDS)[number];
  enabled: boolean;
  /** The condition in words, e.g. "battery < 15 for 10 min". */
  condition: string;
}

interface RuleRow {
  id: string;
  name: string;
  kind: GuardableRuleDto['kind'];
  enabled: boolean;
  condition: unknown;
}

function toDto(r: RuleRow): GuardableRuleDto {
  const condition = alertConditionSchema.safeParse(r.condition);
  return { id: r.id, name: r.name, kind: r.kind, enabled: r.enabled, condition: condition.success ? describeCondition(condition.data) : r.kind };
}

/** The rules an OTA job may be guarded by (all of the organization's device rules, by name). */
export async function listGuardableRules(db: Tx, orgId: string): Promise<GuardableRuleDto[]> {
  const rows = await db<RuleRow[]>`
    select id, name, kind, enabled, condition from public.alert_rules
    where org_id = ${orgId} and kind = any(${[...GUARDABLE_RULE_KINDS]}::public.alert_rule_kind[])
    order by lower(name), id limit 500`;
  return rows.map(toDto);
}

/** The given rules that exist in the organization and can guard (unknown ids are left out). */
export async function findGuardableRules(db: Tx, orgId: string, ruleIds: string[]): Promise<GuardableRuleDto[]> {
  if (ruleIds.length === 0) return [];
  const rows = await db<RuleRow[]>`
    select id, name, kind, enabled, condition from public.alert_rules
    where org_id = ${orgId} and id = any(${ruleIds}::uuid[]) and kind = any(${[...GUARDABLE_RULE_KINDS]}::public.alert_rule_kind[])`;
  return rows.map(toDto);
}

/**
 * Pairs (rule, device) among `deviceIds` with an open alert (firing or acknowledged; pending ones
 * have not held long enough to count) of one of `ruleIds`.
 */
export async function openDeviceAlerts(db: Tx, args: { orgId: string; ruleIds: string[]; deviceIds: string[] }): Promise<{ ruleId: string; deviceId: string }[]> {
  if (args.ruleIds.length === 0 || args.deviceIds.length === 0) return [];
  const rows = await db<{ rule_id: string; device_id: string }[]>`
    select a.rule_id, a.device_id from public.alerts a
    where a.org_id = ${args.orgId} and a.rule_id = any(${args.ruleIds}::uuid[]) and a.state in ('firing', 'acknowledged')
      and a.device_id = any(${args.deviceIds}::uuid[])`;
  return rows.map((r) => ({ ruleId: r.rule_id, deviceId: r.device_id }));
}

export interface RaisedAlert {
  orgId: string;
  ruleId: string;
  /** What the instance is about, e.g. `job:<ota_jobs.id>` (must not be a device id). */
  subjectKey: string;
  /** Shown instead of a thing name (e.g. the job id). */
  label: string;
  summary: string;
  value: number | null;
  /** Which feature raised it; evaluation leaves such instances alone (they do not clear by the rule's condition). */
  raisedBy: string;
  details: Record<string, postgres.JSONValue>;
  now: Date;
}

/**
 * Opens a firing instance of `ruleId` about `subjectKey` (once: nothing if one is open already) and
 * returns its `fired` event for notifications, or null when there is nothing to tell now: no new
 * instance, or the rule is snoozed (evaluation tells it when the snooze ends, like any alert).
 * Call with a service-role transaction; the caller hands the event to notifications in it.
 */
export async function raiseRuleAlert(tx: Tx, a: RaisedAlert): Promise<AlertEvent | null> {
  const [rule] = await tx<{ name: string; severity: AlertSeverity; snoozed: boolean; channel_ids: string[] }[]>`
    select name, severity, coalesce(snoozed_until > ${a.now}, false) as snoozed, channel_ids
    from public.alert_rules where org_id = ${a.orgId} and id = ${a.ruleId}`;
  if (!rule) return null;
  const details = { ...a.details, raisedBy: a.raisedBy, label: a.label };
  const [row] = await tx<{ id: string }[]>`
    insert into public.alerts (org_id, rule_id, subject_key, state, severity, condition_since, fired_at, last_value,
                               last_evaluated_at, notified, summary, details)
    values (${a.orgId}, ${a.ruleId}, ${a.subjectKey}, 'firing', ${rule.severity}, ${a.now}, ${a.now}, ${a.value}, ${a.now},
            ${!rule.snoozed}, ${a.summary.slice(0, 500)}, ${tx.json(details)})
    on conflict (rule_id, subject_key) where state <> 'resolved' do nothing
    returning id`;
  if (!row || rule.snoozed) return null;
  return {
    type: 'fired',
    alertId: row.id,
    orgId: a.orgId,
    ruleId: a.ruleId,
    ruleName: rule.name,
    severity: rule.severity,
    deviceId: null,
    thingName: null,
    summary: a.summary.slice(0, 500),
    value: a.value,
    at: a.now.toISOString(),
    channelIds: rule.channel_ids,
  };
}
