import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { SyncDeps } from '@/features/sync/engine';
import { stopRequest } from '@/features/sync/errors';
import { evaluateOrgAlerts, handleAlertsEvaluateJobs, handleAlertsTick, type AlertsWorkerDeps } from './alerts-handler';
import { handleBulkJob } from './bulk-handler';
import { checkOtaGuards } from '@/features/ota/guard';
import { handleSyncJob } from './handlers';
import { handleNotificationJob, sweepNotifications } from './notification-handler';
import { deliveryDepsFromEnv, type DeliveryDeps } from '@/features/notifications/delivery';
import { anomalyCandidates } from '@/features/alerts/anomaly';
import { enqueueWith, notifyAlertEvents } from '@/features/notifications/service';
import { appUrlEnv, databaseEnv } from '@/lib/env';
import { handleTelemetryPartitionsJob, handleTelemetryRetentionJob } from './telemetry-maintenance-handler';
import { createBoss, createQueues, DEFAULT_RETRY, QUEUES, type RetrySettings } from '@/lib/jobs/queues';
import { handleReportsTick } from './report-handler';
import { enqueueDueSyncs } from './scheduler';

/**
 * A worker process: pg-boss on the app's database, a once-a-minute tick (pg-boss cron, sent once
 * across all workers) that queues due integrations, `concurrency` pollers of the sync queue and one
 * of the bulk-operation queue.
 * Any number of workers may run; the sync_runs lease keeps each integration to one sync at a time.
 */
export interface WorkerOptions {
  deps: Omit<SyncDeps, 'signal' | 'workerId' | 'log'>;
  log: Logger;
  concurrency: number;
  pollingIntervalSeconds?: number;
  retry?: RetrySettings;
  /** Notification senders (mailer, outbound policy, retry policy); default from the environment. */
  notify?: Omit<DeliveryDeps, 'db' | 'log'>;
  /** The public app URL for links in scheduled reports; default APP_URL. */
  appUrl?: string;
  /** Alert evaluation's notifier and detector hooks (see alerts-handler). */
  alerts?: Pick<AlertsWorkerDeps, 'notify' | 'anomaly'>;
}

export interface RunningWorker {
  id: string;
  boss: PgBoss;
  /** Stops taking jobs, cancels runs in progress (they record their state and are retried later), then closes. */
  stop(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = options.log.child({ workerId: id });
  const controller = new AbortController();
  const deps: SyncDeps = { ...options.deps, log, signal: controller.signal, workerId: id };
  const boss = createBoss({ schedule: true, supervise: true });
  boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
  await boss.start();
  await createQueues(boss, options.retry ?? DEFAULT_RETRY);

  const tick = async () => {
    const queued = await enqueueDueSyncs(boss, deps.db);
    if (queued > 0) log.info({ queued }, 'queued due syncs');
  };
  await boss.schedule(QUEUES.tick, '* * * * *');
  await boss.work(QUEUES.tick, { pollingIntervalSeconds: 5 }, tick);
  // Alert transitions become deliveries on this worker's own queue (no second pg-boss in the process).
  const notify: AlertsWorkerDeps['notify'] = (db, events) => notifyAlertEvents(db, events, { enqueue: enqueueWith(boss) });
  // The OTA health guard judges guarded rollouts right after each evaluation (same clock, same notifier).
  const afterEvaluation = (orgId: string) => checkOtaGuards({ runtime: { clients: deps.clients, db: deps.db }, db: deps.db, log, notify: alerts.notify, now: deps.now }, orgId);
  // Anomaly rules score against baselines learned from Fleetline's own history (features/alerts/anomaly).
  const alerts: AlertsWorkerDeps = { notify, anomaly: anomalyCandidates(), ...options.alerts, afterEvaluation, db: deps.db, log, now: deps.now };
  await boss.schedule(QUEUES.alertsTick, '* * * * *');
  await boss.work(QUEUES.alertsTick, { pollingIntervalSeconds: 5 }, () => handleAlertsTick(alerts));
  // Evaluations requested by live-data batches: polled often, so presence turns into alerts within seconds.
  await boss.work(QUEUES.alertsEvaluate, { pollingIntervalSeconds: 1, batchSize: 20 }, (jobs) => handleAlertsEvaluateJobs(alerts, jobs));
  const polling = { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 };
  const afterSync = (run: { orgId: string }) => evaluateOrgAlerts(alerts, run.orgId);
  for (let i = 0; i < options.concurrency; i++) {
    await boss.work(QUEUES.sync, polling, async ([job]) => (job ? handleSyncJob({ ...deps, afterSync }, job) : null));
  }
  // Bulk operations: one at a time per worker, each paced by its integrations' budgets.
  const bulkDeps = { db: deps.db, clients: deps.clients, log, signal: controller.signal, clock: deps.clock, workerId: id };
  await boss.work(QUEUES.bulk, polling, async ([job]) => (job ? handleBulkJob(bulkDeps, job) : null));
  // Notifications: a few attempts at once (each waits on a receiver); a minute sweep re-queues lost ones.
  const notifyBase = options.notify ?? deliveryDepsFromEnv({ db: deps.db, log, keyring: databaseEnv().FLEETLINE_VAULT_KEYS });
  const notifyDeps = { ...notifyBase, db: deps.db, log, boss };
  await boss.work(QUEUES.notify, { ...polling, batchSize: 5 }, (jobs) => Promise.all(jobs.map((job) => handleNotificationJob(notifyDeps, job))));
  await boss.schedule(QUEUES.notifySweep, '* * * * *');
  await boss.work(QUEUES.notifySweep, { pollingIntervalSeconds: 30 }, () => sweepNotifications(notifyDeps));
  // Scheduled fleet reports: the minute tick records each due (channel, period) once, across workers.
  const reportDeps = { db: deps.db, log, appUrl: options.appUrl ?? appUrlEnv(), enqueue: enqueueWith(boss) };
  await boss.schedule(QUEUES.reports, '* * * * *');
  await boss.work(QUEUES.reports, { pollingIntervalSeconds: 30 }, () => handleReportsTick(reportDeps));
  // Telemetry store upkeep (sent once across workers by pg-boss cron): partitions hourly, retention daily.
  await boss.schedule(QUEUES.telemetryPartitions, '7 * * * *');
  await boss.schedule(QUEUES.telemetryRetention, '37 3 * * *');
  await boss.work(QUEUES.telemetryPartitions, polling, async () => handleTelemetryPartitionsJob({ db: deps.db, log }));
  await boss.work(QUEUES.telemetryRetention, polling, async () => handleTelemetryRetentionJob({ db: deps.db, log }));
  // Start with a tick rather than waiting for the next minute, so a fresh deployment syncs at once.
  await tick();
  log.info({ concurrency: options.concurrency }, 'worker started');

  let stopping: Promise<void> | undefined;
  return {
    id,
    boss,
    stop() {
      stopping ??= (async () => {
        log.info('worker stopping');
        controller.abort(stopRequest('the worker is shutting down'));
        await boss.stop({ graceful: true, wait: true, close: false, timeout: 20_000 });
        log.info('worker stopped');
      })();
      return stopping;
    },
  };
}
