import PgBoss from 'pg-boss';
import { jobQueueDb } from '@/lib/db';
import type { AlertsEvaluateJobPayload, BulkJobPayload, NotificationJobPayload, SyncJobPayload } from './payloads';

/**
 * The job catalogue. The `short` policy keyed by integration keeps at most one sync *queued* per
 * integration; at most one *running* is the sync_runs lease's job, across workers, cron and CLI.
 */
export const QUEUES = {
  sync: 'sync-integration',
  tick: 'sync-tick',
  bulk: 'bulk-operation',
  notify: 'notification-delivery',
  notifySweep: 'notification-sweep',
  /** Once a minute: record and queue the scheduled fleet reports whose period has ended. */
  reports: 'notification-reports',
  /** Once a minute: evaluate the alert rules of every organization (offline-for-N fires without a sync). */
  alertsTick: 'alerts-tick',
  /** One organization's rules, requested after a live-data batch changed presence or telemetry. */
  alertsEvaluate: 'alerts-evaluate',
  /** Telemetry store upkeep: partitions ahead (hourly) and retention (daily). */
  telemetryPartitions: 'telemetry-partitions',
  telemetryRetention: 'telemetry-retention',
} as const;

export interface RetrySettings {
  /** Retries of a sync that failed on something transient (5xx after our own retries, network, database). */
  limit: number;
  delaySeconds: number;
  backoff: boolean;
}

export const DEFAULT_RETRY: RetrySettings = { limit: 3, delaySeconds: 30, backoff: true };
/** A sync of a very large fleet may take long; pg-boss fails jobs that run past this. */
const SYNC_EXPIRE_SECONDS = 4 * 3600;
/** 10,000 devices at a small budget take a while; a run cut off is resumed by the retry. */
const BULK_EXPIRE_SECONDS = 4 * 3600;

export function createBoss(options: { schedule: boolean; supervise: boolean }): PgBoss {
  return new PgBoss({ db: jobQueueDb(), migrate: true, ...options });
}

/**
 * Workers starting together on a fresh database race to create the same queue: one of them gets a
 * deadlock or a unique violation from pg-boss. The loser retries and then finds the queue there.
 */
async function ensureQueue(boss: PgBoss, options: PgBoss.Queue): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await boss.createQueue(options.name, options);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== '40P01' && code !== '23505') || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
    }
  }
}

export async function createQueues(boss: PgBoss, retry: RetrySettings = DEFAULT_RETRY): Promise<void> {
  await ensureQueue(boss, {
    name: QUEUES.sync,
    policy: 'short',
    retryLimit: retry.limit,
    retryDelay: retry.delaySeconds,
    retryBackoff: retry.backoff,
    expireInSeconds: SYNC_EXPIRE_SECONDS,
  });
  await ensureQueue(boss, { name: QUEUES.tick, policy: 'short', retryLimit: 0, expireInSeconds: 300 });
  // A bulk job also retries while the operation it names is not yet committed (see bulk-handler).
  await ensureQueue(boss, { name: QUEUES.bulk, policy: 'standard', retryLimit: 10, retryDelay: 2, retryBackoff: true, expireInSeconds: BULK_EXPIRE_SECONDS });
  // One attempt of one delivery per job; the handler schedules the next attempt itself (its own
  // backoff, Retry-After), so pg-boss retries only a handler that crashed (database down).
  await ensureQueue(boss, { name: QUEUES.notify, policy: 'standard', retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 300 });
  await ensureQueue(boss, { name: QUEUES.notifySweep, policy: 'short', retryLimit: 0, expireInSeconds: 300 });
  await ensureQueue(boss, { name: QUEUES.reports, policy: 'short', retryLimit: 0, expireInSeconds: 300 });
  await ensureQueue(boss, { name: QUEUES.alertsTick, policy: 'short', retryLimit: 0, expireInSeconds: 300 });
  // No retries: a failed evaluation is logged, and the next batch or the minute tick evaluates again.
  await ensureQueue(boss, { name: QUEUES.alertsEvaluate, policy: 'standard', retryLimit: 0, expireInSeconds: 300 });
  await ensureQueue(boss, { name: QUEUES.telemetryPartitions, policy: 'short', retryLimit: 3, retryDelay: 60, expireInSeconds: 300 });
  await ensureQueue(boss, { name: QUEUES.telemetryRetention, policy: 'short', retryLimit: 3, retryDelay: 300, expireInSeconds: 3600 });
}

/** Queues a sync; null when one is already waiting for this integration. */
export function enqueueSync(boss: PgBoss, payload: SyncJobPayload): Promise<string | null> {
  return boss.send(QUEUES.sync, payload, { singletonKey: payload.integrationId });
}

/** Queues a bulk operation; it starts a second later, after the request that queued it has committed. */
export function enqueueBulkOperation(boss: PgBoss, payload: BulkJobPayload): Promise<string | null> {
  return boss.send(QUEUES.bulk, payload, { singletonKey: payload.operationId, startAfter: 1 });
}

/** Queues one attempt of a notification delivery, after `startAfterSeconds` (a retry's backoff). */
export function enqueueNotification(boss: PgBoss, payload: NotificationJobPayload, startAfterSeconds = 0): Promise<string | null> {
  return boss.send(QUEUES.notify, payload, startAfterSeconds > 0 ? { startAfter: Math.ceil(startAfterSeconds) } : {});
}

/** Seconds of one throttling slot of `alerts-evaluate`: at most one evaluation per organization per slot. */
export const ALERTS_EVALUATE_SLOT_SECONDS = 2;

/**
 * Requests an evaluation of an organization's alert rules. Debounced per organization across
 * processes: one job per slot, and a request in a slot already taken queues one for the next slot,
 * so the last batch of a flood is evaluated too.
 */
export function enqueueAlertEvaluation(boss: PgBoss, payload: AlertsEvaluateJobPayload): Promise<string | null> {
  return boss.sendDebounced(QUEUES.alertsEvaluate, payload, {}, ALERTS_EVALUATE_SLOT_SECONDS, payload.orgId);
}
