import { runSync, type RunSummary, type SyncDeps } from '@/features/sync/engine';
import { syncJobSchema } from '@/features/sync/schemas';

/**
 * A `sync-integration` job. Throwing makes pg-boss retry with backoff: only for failures that may pass
 * (transient AWS or network trouble, our own errors, a shutdown). Credential errors wait for the next
 * tick instead, and repeated ones pause the integration.
 */
export interface SyncJobResult {
  outcome: 'ran' | 'busy' | 'skipped' | 'invalid';
  workerId: string | null;
  runId?: string;
  status?: string;
  errorCode?: string | null;
  reason?: string;
}

export class RetryableSyncError extends Error {
  override name = 'RetryableSyncError';
}

const RETRYABLE = new Set(['transient', 'internal', 'cancelled']);

/** `afterSync` runs after every run that ran (succeeded or not), e.g. alert evaluation; it must not throw. */
export async function handleSyncJob(deps: SyncDeps & { afterSync?: (run: RunSummary) => Promise<unknown> }, job: { id: string; data: unknown }): Promise<SyncJobResult> {
  const workerId = deps.workerId ?? null;
  const payload = syncJobSchema.safeParse(job.data);
  if (!payload.success) {
    deps.log.error({ jobId: job.id }, 'sync job with an invalid payload dropped');
    return { outcome: 'invalid', workerId };
  }
  const { integrationId, trigger, requestedBy } = payload.data;
  const outcome = await runSync(deps, { integrationId, trigger, requestedBy, jobId: job.id });
  if (outcome.outcome === 'busy') return { outcome: 'busy', workerId, runId: outcome.runningRunId };
  if (outcome.outcome === 'skipped') return { outcome: 'skipped', workerId, reason: outcome.reason };
  const { run } = outcome;
  await deps.afterSync?.(run);
  if (run.status !== 'succeeded' && RETRYABLE.has(run.failureKind ?? '')) {
    throw new RetryableSyncError(`${run.errorCode}: ${run.error}`);
  }
  return { outcome: 'ran', workerId, runId: run.runId, status: run.status, errorCode: run.errorCode };
}
