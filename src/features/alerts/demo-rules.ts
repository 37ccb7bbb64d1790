import type postgres from 'postgres';
import { conditionForSeconds, createRuleSchema, type CreateRuleInput } from './schemas';

/**
 * The rules a demo organization starts with (issue 12): offline for 10 minutes, battery below 15 %
 * for 10 minutes (clearing at 20 %) and a temperature anomaly (evaluated once the detector is wired).
 */
export const DEMO_ALERT_RULES: CreateRuleInput[] = [
  { name: 'Device offline > 10 min', severity: 'warning', condition: { kind: 'offline', minutes: 10 } },
  {
    name: 'Battery below 15 % for 10 min',
    severity: 'critical',
    condition: { kind: 'threshold', metric: 'battery', op: 'lt', value: 15, clearValue: 20, forSeconds: 600 },
  },
  { name: 'Temperature anomaly', severity: 'info', condition: { kind: 'anomaly', metric: 'temperature', sensitivity: 'medium' } },
].map((rule) => createRuleSchema.parse(rule));

/** A rule as alert_rules stores it. */
export function storedRule(rule: CreateRuleInput) {
  return {
    name: rule.name,
    description: rule.description ?? null,
    kind: rule.condition.kind,
    severity: rule.severity,
    filter: rule.filter,
    condition: rule.condition,
    for_seconds: conditionForSeconds(rule.condition),
    enabled: rule.enabled,
  };
}

/** Seeds the demo rules (the seed's own connection, RLS bypassed); existing ones by name are left alone. */
export async function insertDemoAlertRules(sql: postgres.Sql, orgId: string, createdBy: string): Promise<void> {
  for (const rule of DEMO_ALERT_RULES.map(storedRule)) {
    await sql`
      insert into public.alert_rules (org_id, name, description, kind, severity, filter, condition, for_seconds, enabled, created_by)
      values (${orgId}, ${rule.name}, ${rule.description}, ${rule.kind}, ${rule.severity}, ${sql.json(rule.filter as postgres.JSONValue)},
              ${sql.json(rule.condition as postgres.JSONValue)}, ${rule.for_seconds}, ${rule.enabled}, ${createdBy})
      on conflict (org_id, name) do nothing`;
  }
}

/**
 * Routes the demo rules to a channel (the demo's e-mail channel), keeping any channel they already
 * name. Only rules seeded by name; what an admin created or re-routed since stays as it is.
 */
export async function routeDemoAlertRules(sql: postgres.Sql, orgId: string, channelId: string): Promise<void> {
  await sql`
    update public.alert_rules
    set channel_ids = array_append(channel_ids, ${channelId}::uuid)
    where org_id = ${orgId} and name = any(${DEMO_ALERT_RULES.map((r) => r.name)}) and not (${channelId}::uuid = any(channel_ids))`;
}
