import type PgBoss from 'pg-boss';
import { deliverNotification, dueDeliveries, type DeliveryDeps, type DeliveryOutcome } from '@/features/notifications/delivery';
import { notificationJobSchema } from '@/lib/jobs/payloads';
import { enqueueNotification } from '@/lib/jobs/queues';

/**
 * A `notification-delivery` job is one attempt of one delivery. A failed attempt that may be
 * retried queues the next one itself, after its backoff (or the receiver's Retry-After), so the
 * job succeeds either way; pg-boss's own retries only cover a handler that threw (database down).
 */
/** Thrown so pg-boss retries (5 s, backoff): the row was queued by a transaction not yet committed. */
export class RetryableNotificationError extends Error {
  override name = 'RetryableNotificationError';
}

export interface NotificationHandlerDeps extends DeliveryDeps {
  boss: PgBoss;
}

export async function handleNotificationJob(deps: NotificationHandlerDeps, job: { id: string; data: unknown }): Promise<DeliveryOutcome | { status: 'invalid' }> {
  const payload = notificationJobSchema.safeParse(job.data);
  if (!payload.success) {
    deps.log.error({ jobId: job.id }, 'notification job with an invalid payload dropped');
    return { status: 'invalid' };
  }
  const outcome = await deliverNotification(deps, payload.data.deliveryId);
  if (outcome.status === 'skipped' && outcome.reason === 'missing') throw new RetryableNotificationError(`notification delivery ${payload.data.deliveryId} is not visible yet`);
  if (outcome.status === 'failed') await enqueueNotification(deps.boss, payload.data, outcome.retryInSeconds);
  return outcome;
}

/** The minute sweep: queues again deliveries whose job was lost (see dueDeliveries). */
export async function sweepNotifications(deps: Pick<NotificationHandlerDeps, 'db' | 'boss' | 'log'>): Promise<number> {
  const ids = await dueDeliveries(deps.db);
  for (const deliveryId of ids) await enqueueNotification(deps.boss, { deliveryId });
  if (ids.length > 0) deps.log.warn({ queued: ids.length }, 'queued overdue notification deliveries again');
  return ids.length;
}
