import { CancelJobCommand } from '@aws-sdk/client-iot';
import type { Logger } from 'pino';
import type postgres from 'postgres';
import type { AlertEvent } from '@/features/alerts/events';
import { findGuardableRules, openDeviceAlerts, raiseRuleAlert } from '@/features/alerts/guards';
import { loadIntegration } from '@/features/integrations/runtime/integration';
import { describeAwsError } from '@/lib/aws/clients';
import type { Tx } from '@/lib/db';
import { withIot, type OtaRuntime } from './clients';
import { judgeGuard, type GroupCount, type GuardCheck, type GuardConfidence, type GuardRuleCheck } from './guard-decision';
import { refreshOtaJob } from './refresh';
import type { CreateOtaJobInput } from './schemas';

/**
 * The health guard of OTA jobs (issue 12), run by the worker after each alert evaluation of an
 * organization. For every guarded job still IN_PROGRESS it counts, per guard rule, the updated
 * (IN_PROGRESS or SUCCEEDED) and the waiting (QUEUED) devices with an open alert of the rule, from
 * the OTA cache and the alerts feature's exported reads, and stores the shares for the job page.
 * When guard-decision trips, the guard claims the stop in the database (once: `tripped_at` is set
 * only where it was null), commits, then cancels the job in AWS without force (queued executions
 * stop, running ones finish) through the integration runtime, outside any transaction, and
 * records the timeline entry, the audit entry and an alert of each tripping rule on `job:<id>`
 * (notified through notifications like any alert). A failed CancelJob releases the claim, so the
 * next check tries again; once CancelJob succeeded the guard never acts on the job again.
 */
export interface GuardDeps {
  runtime: OtaRuntime;
  /** asService: the guard writes service-only tables and filters every query by org_id. */
  db: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  log: Logger;
  /** notifications' notifyAlertEvents; without it the guard's alerts still open (bell, alerts page). */
  notify?: (db: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, events: AlertEvent[]) => Promise<{ deliveries: number }>;
  /** Alert time (epoch ms): the evaluation's clock, so the guard's alert and the rules' alerts agree. */
  now?: () => number;
}

/** What CancelJob carries, so AWS's console and the job page say who stopped the rollout. */
export const GUARD_REASON_CODE = 'HEALTH_GUARD';
const CANCEL_DEADLINE_MS = 30_000;
const COMMENT_CHARS = 2028;

/** Stores the guard of a job Fleetline just created (no rules, no guard). */
export async function saveJobGuard(
  tx: Tx,
  args: { orgId: string; otaJobId: string; createdBy: string; input: Pick<CreateOtaJobInput, 'guardRuleIds' | 'guardMinTreated' | 'guardMarginPercent' | 'guardConfidence'> },
): Promise<boolean> {
  const { input } = args;
  if (input.guardRuleIds.length === 0) return false;
  await tx`
    insert into public.ota_job_guards (org_id, ota_job_id, rule_ids, min_treated, margin_percent, confidence, created_by)
    values (${args.orgId}, ${args.otaJobId}, ${[...new Set(input.guardRuleIds)]}::uuid[], ${input.guardMinTreated},
            ${input.guardMarginPercent}, ${input.guardConfidence}, ${args.createdBy})
    on conflict (ota_job_id) do nothing`;
  return true;
}

interface WatchedGuard {
  id: string;
  ota_job_id: string;
  job_id: string;
  integration_id: string;
  rule_ids: string[];
  min_treated: number;
  margin_percent: string;
  confidence: string;
}

export interface GuardTrip {
  otaJobId: string;
  jobId: string;
  rules: GuardRuleCheck[];
}

export interface GuardRunResult {
  checked: number;
  tripped: GuardTrip[];
  failed: number;
}

const json = (value: unknown) => value as postgres.JSONValue;

/**
 * One check of one guard (one transaction): the counts, the verdict stored as `last_check`, and the
 * claim when it trips. Returns the tripping rules when this check claimed the stop.
 */
async function checkGuard(tx: Tx, orgId: string, g: WatchedGuard, now: Date): Promise<GuardRuleCheck[] | null> {
  // Executions by device: updated (took the update) or waiting (still queued); other results are AWS's to judge.
  const devices = await tx<{ device_id: string; treated: boolean }[]>`
    select d.id as device_id, e.status <> 'QUEUED' as treated
    from public.ota_job_executions e
    join public.devices d on d.org_id = e.org_id and d.integration_id = ${g.integration_id} and d.thing_name = e.thing_name and d.removed_at is null
    where e.org_id = ${orgId} and e.ota_job_id = ${g.ota_job_id} and e.status in ('QUEUED', 'IN_PROGRESS', 'SUCCEEDED')`;
  const rules = await findGuardableRules(tx, orgId, g.rule_ids);
  const alerted = await openDeviceAlerts(tx, { orgId, ruleIds: rules.map((r) => r.id), deviceIds: devices.map((d) => d.device_id) });
  const treatedDevices = new Set(devices.filter((d) => d.treated).map((d) => d.device_id));
  const counts = rules.map((r) => {
    const treated: GroupCount = { devices: treatedDevices.size, alerted: 0 };
    const waiting: GroupCount = { devices: devices.length - treatedDevices.size, alerted: 0 };
    for (const a of alerted) {
      if (a.ruleId !== r.id) continue;
      if (treatedDevices.has(a.deviceId)) treated.alerted++;
      else waiting.alerted++;
    }
    return { ruleId: r.id, ruleName: r.name, treated, waiting };
  });
  const params = { minTreated: g.min_treated, marginPercent: Number(g.margin_percent), confidence: Number(g.confidence) as GuardConfidence };
  const { check, tripped } = judgeGuard(counts, params, now);
  if (tripped.length === 0) {
    await tx`update public.ota_job_guards set last_checked_at = now(), last_check = ${tx.json(json(check))} where id = ${g.id} and org_id = ${orgId}`;
    return null;
  }
  const trip: GuardCheck = { at: check.at, rules: tripped };
  const claimed = await tx`
    update public.ota_job_guards set last_checked_at = now(), last_check = ${tx.json(json(check))}, tripped_at = now(),
           trip = ${tx.json(json(trip))}, trip_error = null
    where id = ${g.id} and org_id = ${orgId} and tripped_at is null
    returning id`;
  return claimed.length > 0 ? tripped : null;
}

function cancelComment(rules: GuardRuleCheck[]): string {
  return `Stopped by the Fleetline health guard: ${rules.map((r) => r.text).join('; ')}.`.slice(0, COMMENT_CHARS);
}

/** After CancelJob succeeded: timeline, audit and the rules' alerts (notified), in one transaction. */
async function recordTrip(deps: GuardDeps, orgId: string, g: WatchedGuard, rules: GuardRuleCheck[], now: Date): Promise<void> {
  const summary = cancelComment(rules);
  const ruleDetails = rules.map((r) => ({
    ruleId: r.ruleId,
    ruleName: r.ruleName,
    treated: r.treated,
    waiting: r.waiting,
    treatedShare: r.treatedShare,
    waitingShare: r.waitingShare,
    z: r.z,
    zCritical: r.zCritical,
    text: r.text,
  }));
  await deps.db(async (tx) => {
    await tx`
      insert into public.ota_job_events (org_id, ota_job_id, kind, from_status, to_status, details)
      values (${orgId}, ${g.ota_job_id}, 'guard_tripped', 'IN_PROGRESS', 'CANCELED', ${tx.json(json({ rules: ruleDetails, summary }))})`;
    await tx`
      insert into public.audit_log (org_id, actor_id, action, target_type, target_id, details)
      values (${orgId}, null, 'ota_job.guard_tripped', 'ota_job', ${g.ota_job_id},
              ${tx.json(json({ actor: 'ota_guard', jobId: g.job_id, force: false, reasonCode: GUARD_REASON_CODE, rules: ruleDetails.map(({ text: _t, ...r }) => r) }))})`;
    const events: AlertEvent[] = [];
    for (const r of rules) {
      const event = await raiseRuleAlert(tx, {
        orgId,
        ruleId: r.ruleId,
        subjectKey: `job:${g.ota_job_id}`,
        label: g.job_id,
        summary: `Rollout ${g.job_id} stopped: ${r.text}`,
        value: r.treatedShare,
        raisedBy: 'ota_guard',
        details: { otaJobId: g.ota_job_id, jobId: g.job_id, treated: json(r.treated), waiting: json(r.waiting), waitingShare: r.waitingShare },
        now,
      });
      if (event) events.push(event);
    }
    if (events.length > 0 && deps.notify) await deps.notify((fn) => fn(tx), events);
  });
}

/** Checks every untripped guard of the organization's jobs in progress; never throws. */
export async function checkOtaGuards(deps: GuardDeps, orgId: string): Promise<GuardRunResult> {
  const result: GuardRunResult = { checked: 0, tripped: [], failed: 0 };
  const now = new Date(deps.now?.() ?? Date.now());
  let guards: WatchedGuard[];
  try {
    guards = await deps.db((tx) => tx<WatchedGuard[]>`
      select g.id, g.ota_job_id, j.job_id, j.integration_id, g.rule_ids, g.min_treated, g.margin_percent, g.confidence
      from public.ota_job_guards g
      join public.ota_jobs j on j.id = g.ota_job_id and j.org_id = g.org_id
      where g.org_id = ${orgId} and g.tripped_at is null and j.status = 'IN_PROGRESS'
      order by g.created_at`);
  } catch (error) {
    deps.log.error({ err: error, orgId }, 'OTA guard check failed');
    return { ...result, failed: 1 };
  }
  for (const g of guards) {
    try {
      result.checked++;
      const tripped = await deps.db((tx) => checkGuard(tx, orgId, g, now));
      if (!tripped) continue;
      const integration = await loadIntegration(deps.db, g.integration_id, orgId);
      try {
        if (!integration) throw new Error('the integration is gone');
        await withIot(deps.runtime, integration, CANCEL_DEADLINE_MS, (iot, signal) =>
          iot.send(new CancelJobCommand({ jobId: g.job_id, force: false, reasonCode: GUARD_REASON_CODE, comment: cancelComment(tripped) }), { abortSignal: signal }),
        );
      } catch (error) {
        // Released: the stop did not happen, so the next check (after the next evaluation) may try again.
        const aws = describeAwsError(error);
        await deps.db((tx) => tx`
          update public.ota_job_guards set tripped_at = null, trip = null, trip_error = ${`${aws.name}: ${aws.message}`.slice(0, 1000)}
          where id = ${g.id} and org_id = ${orgId}`);
        deps.log.warn({ orgId, otaJobId: g.ota_job_id, error: aws.name }, 'OTA guard could not cancel the job');
        result.failed++;
        continue;
      }
      await recordTrip(deps, orgId, g, tripped, now);
      result.tripped.push({ otaJobId: g.ota_job_id, jobId: g.job_id, rules: tripped });
      deps.log.info({ orgId, otaJobId: g.ota_job_id, jobId: g.job_id, rules: tripped.map((r) => r.ruleId) }, 'OTA guard stopped a rollout');
      // The cache shows the cancel at once (the job page and the next check read it).
      await refreshOtaJob({ runtime: deps.runtime, log: deps.log }, orgId, g.ota_job_id, { force: true });
    } catch (error) {
      deps.log.error({ err: error, orgId, otaJobId: g.ota_job_id }, 'OTA guard check failed');
      result.failed++;
    }
  }
  return result;
}
