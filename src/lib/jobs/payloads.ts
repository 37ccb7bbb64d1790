import { z } from 'zod';

/** Payloads of the job catalogue's queues, below both the features that queue jobs and the worker. Browser-safe. */

export const SYNC_TRIGGERS = ['schedule', 'manual', 'cron', 'cli'] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

/** The payload of a `sync-integration` job. */
export const syncJobSchema = z.object({
  integrationId: z.uuid(),
  trigger: z.enum(SYNC_TRIGGERS),
  requestedBy: z.uuid().nullable().default(null),
});
export type SyncJobPayload = z.infer<typeof syncJobSchema>;

/** The payload of a `bulk-operation` job. */
export const bulkJobSchema = z.object({ operationId: z.uuid() });
export type BulkJobPayload = z.infer<typeof bulkJobSchema>;

/** The payload of a `notification-delivery` job: one attempt of one notification_deliveries row. */
export const notificationJobSchema = z.object({ deliveryId: z.uuid() });
export type NotificationJobPayload = z.infer<typeof notificationJobSchema>;

/** The payload of an `alerts-evaluate` job: evaluate one organization's rules now (after live data). */
export const alertsEvaluateJobSchema = z.object({ orgId: z.uuid() });
export type AlertsEvaluateJobPayload = z.infer<typeof alertsEvaluateJobSchema>;
