import { queueDueReports, type ReportDeps } from '@/features/notifications/report';

/**
 * The `notification-reports` tick (pg-boss cron, once a minute across all workers): records and
 * queues the fleet reports whose period has ended. The deliveries then go out like any other
 * notification (notification-delivery jobs, retries, the sweep). A failed tick is retried by the
 * next one: nothing was recorded for a report whose transaction did not commit.
 */
export async function handleReportsTick(deps: ReportDeps): Promise<{ reports: number }> {
  const { deliveryIds } = await queueDueReports(deps);
  return { reports: deliveryIds.length };
}
