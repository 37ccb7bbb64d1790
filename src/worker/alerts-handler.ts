import type { Logger } from 'pino';
import type { AlertEvent } from '@/features/alerts/events';
import { evaluateAlerts, type AlertsDb, type AnomalyCandidates, type NotifyAlertEvents } from '@/features/alerts/evaluate';
import { alertsEvaluateJobSchema } from '@/lib/jobs/payloads';

/**
 * Alert evaluation in the worker: after every sync run of an organization (its write is what rules
 * look at; a failed run feeds sync-failure rules) and once a minute for every organization with
 * enabled rules, so "offline for 10 minutes" fires without a new sync. Never throws: an evaluation
 * failure is logged and must not fail the sync that triggered it.
 */
export interface AlertsWorkerDeps {
  db: AlertsDb;
  log: Logger;
  /**
   * notifications' notifyAlertEvents. Without it alerts still open and resolve (the bell and the
   * alerts page read them) but no channel is told.
   */
  notify?: NotifyAlertEvents;
  anomaly?: AnomalyCandidates;
  /** Evaluation time (epoch ms); the sync's AWS clock, so device times and "now" agree. */
  now?: () => number;
  /** Runs after each successful evaluation of an organization (the OTA health guard); must not throw. */
  afterEvaluation?: (orgId: string) => Promise<unknown>;
}

const inAppOnly: NotifyAlertEvents = async () => ({ deliveries: 0 });

export async function evaluateOrgAlerts(deps: AlertsWorkerDeps, orgId: string): Promise<AlertEvent[] | null> {
  const started = performance.now();
  try {
    const events = await evaluateAlerts(
      { db: deps.db, notify: deps.notify ?? inAppOnly, log: deps.log, anomaly: deps.anomaly },
      { orgId, now: new Date(deps.now?.() ?? Date.now()) },
    );
    const durationMs = Math.round(performance.now() - started);
    if (events.length > 0) deps.log.info({ orgId, fired: events.filter((e) => e.type === 'fired').length, resolved: events.filter((e) => e.type === 'resolved').length, durationMs }, 'alerts evaluated');
    await deps.afterEvaluation?.(orgId).catch((error: unknown) => deps.log.error({ err: error, orgId }, 'after-evaluation hook failed'));
    return events;
  } catch (error) {
    deps.log.error({ err: error, orgId }, 'alert evaluation failed');
    return null;
  }
}

/** The periodic job: every organization that has an enabled rule, one after another. */
export async function handleAlertsTick(deps: AlertsWorkerDeps): Promise<{ orgs: number; events: number }> {
  const orgs = await deps.db((tx) => tx<{ org_id: string }[]>`select distinct org_id from public.alert_rules where enabled`);
  let events = 0;
  for (const { org_id } of orgs) events += (await evaluateOrgAlerts(deps, org_id))?.length ?? 0;
  return { orgs: orgs.length, events };
}

/**
 * `alerts-evaluate` jobs (requested after live-data batches): each organization named once per
 * batch of jobs, however many requests piled up for it.
 */
export async function handleAlertsEvaluateJobs(deps: AlertsWorkerDeps, jobs: Array<{ id: string; data: unknown }>): Promise<{ orgs: number }> {
  const orgIds = new Set<string>();
  for (const job of jobs) {
    const payload = alertsEvaluateJobSchema.safeParse(job.data);
    if (payload.success) orgIds.add(payload.data.orgId);
    else deps.log.error({ jobId: job.id }, 'alert evaluation job with an invalid payload dropped');
  }
  for (const orgId of orgIds) await evaluateOrgAlerts(deps, orgId);
  return { orgs: orgIds.size };
}
