import type postgres from 'postgres';
import { recordAudit } from '@/lib/audit';
import type { OrgContext } from '@/lib/context';
import { AppError } from '@/lib/errors';
import { hasRole } from '@/lib/roles';
import { asServiceWithin } from '@/lib/service-role';
import {
  ALERTS_WRITE_ROLE,
  conditionForSeconds,
  type CreateRuleInput,
  type UpdateRuleInput,
} from './schemas';

/**
 * Writes on alert rules, snoozes and alerts. The tables are service-only: each function checks the
 * role itself (the action wrapper did too), filters by the checked org and writes as service_role
 * inside the member's transaction, audited in the same transaction.
 */

function requireWriter(ctx: OrgContext): void {
  if (!hasRole(ctx.role, ALERTS_WRITE_ROLE)) {
    throw new AppError('FORBIDDEN', `Alert rules need the ${ALERTS_WRITE_ROLE} role or higher; you are ${ctx.role}.`);
  }
}

/** Channels must be the organization's own (notification_channels, no FK across features). */
async function checkChannels(ctx: OrgContext, channelIds: string[]): Promise<void> {
  if (channelIds.length === 0) return;
  const unique = [...new Set(channelIds)];
  const rows = await asServiceWithin(ctx.db, () => ctx.db<{ id: string }[]>`
    select id from public.notification_channels where org_id = ${ctx.org.id} and id = any(${unique}::uuid[])`);
  if (rows.length !== unique.length) {
    throw new AppError('VALIDATION', 'Choose channels of this organization.', { channelIds: ['Unknown channel.'] });
  }
}

const json = (value: unknown) => value as postgres.JSONValue;

export async function createRule(ctx: OrgContext, input: CreateRuleInput): Promise<{ ruleId: string }> {
  requireWriter(ctx);
  await checkChannels(ctx, input.channelIds);
  const [row] = await asServiceWithin(ctx.db, () => ctx.db<{ id: string }[]>`
    insert into public.alert_rules (org_id, name, description, kind, severity, filter, condition, for_seconds, enabled, channel_ids, created_by)
    values (${ctx.org.id}, ${input.name}, ${input.description ?? null}, ${input.condition.kind}, ${input.severity},
            ${ctx.db.json(json(input.filter))}, ${ctx.db.json(json(input.condition))}, ${conditionForSeconds(input.condition)},
            ${input.enabled}, ${[...new Set(input.channelIds)]}::uuid[], ${ctx.user.id})
    returning id`);
  await recordAudit(ctx, 'alert_rule.created', { type: 'alert_rule', id: row!.id }, { name: input.name, kind: input.condition.kind, severity: input.severity });
  return { ruleId: row!.id };
}

/** Replaces a rule's definition; its kind may change (open alerts of the old definition resolve at the next evaluation). */
export async function updateRule(ctx: OrgContext, input: UpdateRuleInput): Promise<{ ruleId: string }> {
  requireWriter(ctx);
  await checkChannels(ctx, input.channelIds);
  const rows = await asServiceWithin(ctx.db, () => ctx.db<{ id: string; kind: string }[]>`
    update public.alert_rules
    set name = ${input.name}, description = ${input.description ?? null}, kind = ${input.condition.kind}, severity = ${input.severity},
        filter = ${ctx.db.json(json(input.filter))}, condition = ${ctx.db.json(json(input.condition))},
        for_seconds = ${conditionForSeconds(input.condition)}, enabled = ${input.enabled}, channel_ids = ${[...new Set(input.channelIds)]}::uuid[]
    where org_id = ${ctx.org.id} and id = ${input.ruleId}
    returning id, kind`);
  if (rows.length === 0) throw new AppError('NOT_FOUND', 'Alert rule not found.');
  // Pending instances timed the old condition; firing ones stay until the new condition clears them.
  await asServiceWithin(ctx.db, () => ctx.db`
    delete from public.alerts where org_id = ${ctx.org.id} and rule_id = ${input.ruleId} and state = 'pending'`);
  await recordAudit(ctx, 'alert_rule.updated', { type: 'alert_rule', id: input.ruleId }, { name: input.name, kind: input.condition.kind, severity: input.severity });
  return { ruleId: input.ruleId };
}

export async function deleteRule(ctx: OrgContext, input: { ruleId: string }): Promise<void> {
  requireWriter(ctx);
  const rows = await asServiceWithin(ctx.db, () => ctx.db<{ name: string }[]>`
    delete from public.alert_rules where org_id = ${ctx.org.id} and id = ${input.ruleId} returning name`);
  if (rows.length === 0) throw new AppError('NOT_FOUND', 'Alert rule not found.');
  await recordAudit(ctx, 'alert_rule.deleted', { type: 'alert_rule', id: input.ruleId }, { name: rows[0]!.name });
}

export async function setRuleEnabled(ctx: OrgContext, input: { ruleId: string; enabled: boolean }): Promise<void> {
  requireWriter(ctx);
  const rows = await asServiceWithin(ctx.db, () => ctx.db`
    update public.alert_rules set enabled = ${input.enabled} where org_id = ${ctx.org.id} and id = ${input.ruleId} returning id`);
  if (rows.length === 0) throw new AppError('NOT_FOUND', 'Alert rule not found.');
  // A disabled rule watches nothing: its open alerts resolve, quietly (marked told), rather than linger.
  if (!input.enabled) {
    await asServiceWithin(ctx.db, async () => {
      await ctx.db`delete from public.alerts where org_id = ${ctx.org.id} and rule_id = ${input.ruleId} and state = 'pending'`;
      await ctx.db`
        update public.alerts set state = 'resolved', resolved_at = now(), resolved_notified = true, details = details || '{"resolvedBy":"rule_disabled"}'::jsonb
        where org_id = ${ctx.org.id} and rule_id = ${input.ruleId} and state in ('firing', 'acknowledged')`;
    });
  }
  await recordAudit(ctx, input.enabled ? 'alert_rule.enabled' : 'alert_rule.disabled', { type: 'alert_rule', id: input.ruleId });
}

/** Snoozes (or, with null, un-snoozes) a rule: its alerts are still tracked, but nobody is notified until then. */
export async function snoozeRule(ctx: OrgContext, input: { ruleId: string; until: Date | null }): Promise<void> {
  requireWriter(ctx);
  const rows = await asServiceWithin(ctx.db, () => ctx.db`
    update public.alert_rules set snoozed_until = ${input.until} where org_id = ${ctx.org.id} and id = ${input.ruleId} returning id`);
  if (rows.length === 0) throw new AppError('NOT_FOUND', 'Alert rule not found.');
  await recordAudit(ctx, input.until ? 'alert_rule.snoozed' : 'alert_rule.unsnoozed', { type: 'alert_rule', id: input.ruleId }, {
    until: input.until?.toISOString() ?? null,
  });
}

/** Snoozes one rule for one device (null lifts it). */
export async function snoozeDevice(ctx: OrgContext, input: { ruleId: string; deviceId: string; until: Date | null }): Promise<void> {
  requireWriter(ctx);
  const [found] = await ctx.db<{ rule: boolean; device: boolean }[]>`
    select exists (select 1 from public.alert_rules where org_id = ${ctx.org.id} and id = ${input.ruleId}) as rule,
           exists (select 1 from public.devices where org_id = ${ctx.org.id} and id = ${input.deviceId}) as device`;
  if (!found?.rule) throw new AppError('NOT_FOUND', 'Alert rule not found.');
  if (!found.device) throw new AppError('NOT_FOUND', 'Device not found.');
  if (input.until) {
    await asServiceWithin(ctx.db, () => ctx.db`
      insert into public.alert_device_snoozes (org_id, rule_id, device_id, until, created_by)
      values (${ctx.org.id}, ${input.ruleId}, ${input.deviceId}, ${input.until}, ${ctx.user.id})
      on conflict (rule_id, device_id) do update set until = excluded.until, created_by = excluded.created_by, created_at = now()`);
  } else {
    await asServiceWithin(ctx.db, () => ctx.db`
      delete from public.alert_device_snoozes where org_id = ${ctx.org.id} and rule_id = ${input.ruleId} and device_id = ${input.deviceId}`);
  }
  await recordAudit(ctx, input.until ? 'alert_rule.device_snoozed' : 'alert_rule.device_unsnoozed', { type: 'alert_rule', id: input.ruleId }, {
    deviceId: input.deviceId,
    until: input.until?.toISOString() ?? null,
  });
}

/** Acknowledges a firing alert: someone is on it. It still resolves on its own when the condition clears. */
export async function acknowledgeAlert(ctx: OrgContext, input: { alertId: string }): Promise<void> {
  requireWriter(ctx);
  const rows = await asServiceWithin(ctx.db, () => ctx.db<{ state: string }[]>`
    update public.alerts set state = 'acknowledged', acknowledged_at = now(), acknowledged_by = ${ctx.user.id}
    where org_id = ${ctx.org.id} and id = ${input.alertId} and state = 'firing'
    returning state`);
  if (rows.length === 0) {
    const [existing] = await ctx.db<{ state: string }[]>`select state from public.alerts where org_id = ${ctx.org.id} and id = ${input.alertId}`;
    if (!existing) throw new AppError('NOT_FOUND', 'Alert not found.');
    throw new AppError('PRECONDITION', `Only a firing alert can be acknowledged; this one is ${existing.state}.`);
  }
  await recordAudit(ctx, 'alert.acknowledged', { type: 'alert', id: input.alertId });
}

/** Marks the bell read for the signed-in member (any role: it is their own mark). */
export async function markAlertsRead(ctx: OrgContext): Promise<void> {
  await asServiceWithin(ctx.db, () => ctx.db`
    insert into public.alert_reads (org_id, user_id, read_at) values (${ctx.org.id}, ${ctx.user.id}, now())
    on conflict (org_id, user_id) do update set read_at = excluded.read_at`);
}
