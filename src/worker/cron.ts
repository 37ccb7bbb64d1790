import type { Logger } from 'pino';
import type { SyncDeps } from '@/features/sync/engine';
import { stopRequest } from '@/features/sync/errors';
import { anomalyCandidates } from '@/features/alerts/anomaly';
import { evaluateOrgAlerts, handleAlertsTick, type AlertsWorkerDeps } from './alerts-handler';
import { handleBulkJob, type BulkJobResult } from './bulk-handler';
import { checkOtaGuards } from '@/features/ota/guard';
import { handleSyncJob, type SyncJobResult } from './handlers';
import { handleReportsTick } from './report-handler';
import { enqueueWith } from '@/features/notifications/service';
import { appUrlEnv } from '@/lib/env';
import { jobQueue } from '@/lib/jobs/queue-client';
import { QUEUES } from '@/lib/jobs/queues';
import { enqueueDueSyncs } from './scheduler';

/**
 * One cron tick for deployments without a worker: queue what is due, then run queued sync jobs until
 * the budget is spent. A run cut short is recorded as cancelled and retried by a later tick.
 */
export interface CronTickResult {
  queued: number;
  jobs: SyncJobResult[];
  /** Bulk operations run with what was left of the budget (a cut-off one resumes at a later tick). */
  bulk: BulkJobResult[];
  durationMs: number;
}

/** Start no new job with less than this much of the budget left. */
const MIN_JOB_BUDGET_MS = 10_000;

export async function runCronTick(options: {
  deps: Omit<SyncDeps, 'signal' | 'log'>;
  log: Logger;
  budgetMs: number;
  alerts?: Pick<AlertsWorkerDeps, 'notify' | 'anomaly'>;
}): Promise<CronTickResult> {
  const started = Date.now();
  // The OTA health guard judges guarded rollouts right after each evaluation (same clock, same notifier).
  const base = options.deps;
  const afterEvaluation = (orgId: string) =>
    checkOtaGuards({ runtime: { clients: base.clients, db: base.db }, db: base.db, log: options.log, notify: options.alerts?.notify, now: base.now }, orgId);
  // Anomaly rules score against baselines learned from Fleetline's own history (features/alerts/anomaly).
  const alerts: AlertsWorkerDeps = { anomaly: anomalyCandidates(), ...options.alerts, afterEvaluation, db: base.db, log: options.log, now: base.now };
  const afterSync = (run: { orgId: string }) => evaluateOrgAlerts(alerts, run.orgId);
  const boss = await jobQueue();
  const queued = await enqueueDueSyncs(boss, options.deps.db, 'cron');
  const jobs: SyncJobResult[] = [];
  const remaining = () => options.budgetMs - (Date.now() - started);
  while (remaining() > MIN_JOB_BUDGET_MS) {
    const [job] = await boss.fetch<unknown>(QUEUES.sync);
    if (!job) break;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(stopRequest('the cron tick ran out of time')), remaining());
    try {
      const result = await handleSyncJob({ ...options.deps, afterSync, log: options.log, signal: controller.signal, workerId: options.deps.workerId ?? 'cron' }, job);
      await boss.complete(QUEUES.sync, job.id, result as object);
      jobs.push(result);
    } catch (error) {
      await boss.fail(QUEUES.sync, job.id, { message: (error as Error).message });
      jobs.push({ outcome: 'ran', workerId: 'cron', status: 'failed', reason: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
  const bulk: BulkJobResult[] = [];
  while (remaining() > MIN_JOB_BUDGET_MS) {
    const [job] = await boss.fetch<unknown>(QUEUES.bulk);
    if (!job) break;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(stopRequest('the cron tick ran out of time')), remaining());
    try {
      const { db, clients, clock } = options.deps;
      const result = await handleBulkJob({ db, clients, clock, log: options.log, signal: controller.signal, workerId: options.deps.workerId ?? 'cron' }, job);
      await boss.complete(QUEUES.bulk, job.id, result as object);
      bulk.push(result);
    } catch (error) {
      await boss.fail(QUEUES.bulk, job.id, { message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
  // Evaluations requested by live data are covered by the tick below (it evaluates every org with rules).
  const requested = await boss.fetch(QUEUES.alertsEvaluate, { batchSize: 1000 });
  if (requested.length > 0) await boss.complete(QUEUES.alertsEvaluate, requested.map((j) => j.id));
  // Without workers nothing else evaluates alert rules between syncs; a failure must not fail the tick.
  await handleAlertsTick(alerts).catch((error: unknown) => options.log.error({ err: error }, 'alerts tick failed'));
  // Scheduled fleet reports due by now are recorded (once per channel and period) and queued.
  await handleReportsTick({ db: options.deps.db, appUrl: appUrlEnv(), enqueue: enqueueWith(boss), log: options.log }).catch((error: unknown) =>
    options.log.error({ err: error }, 'reports tick failed'),
  );
  // Without workers nothing else expires stuck jobs or archives finished ones.
  await boss.maintain();
  return { queued, jobs, bulk, durationMs: Date.now() - started };
}
