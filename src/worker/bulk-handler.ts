import { runBulkOperation, type BulkDeps, type BulkRunResult } from '@/features/bulk-actions/runner';
import { bulkJobSchema } from '@/features/bulk-actions/schemas';

/**
 * A `bulk-operation` job. Throwing makes pg-boss retry with backoff: when the operation is not
 * visible yet (the request that queued it commits after sending the job), when another worker
 * holds it, or when this worker stopped part-way (the rerun resumes with the pending devices).
 */
export class RetryableBulkError extends Error {
  override name = 'RetryableBulkError';
}

export type BulkJobResult = { outcome: 'invalid' } | BulkRunResult;

export async function handleBulkJob(deps: BulkDeps, job: { id: string; data: unknown }): Promise<BulkJobResult> {
  const payload = bulkJobSchema.safeParse(job.data);
  if (!payload.success) {
    deps.log.error({ jobId: job.id }, 'bulk job with an invalid payload dropped');
    return { outcome: 'invalid' };
  }
  const result = await runBulkOperation(deps, payload.data.operationId);
  if (result.outcome === 'not_found') throw new RetryableBulkError(`bulk operation ${payload.data.operationId} is not visible yet`);
  if (result.outcome === 'busy') throw new RetryableBulkError(`bulk operation ${payload.data.operationId} is held by another worker`);
  if (result.outcome === 'stopped') throw new RetryableBulkError(result.reason);
  return result;
}
