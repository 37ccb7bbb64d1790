import { recordAudit } from '@/lib/audit';
import type { OrgContext } from '@/lib/context';
import { AppError } from '@/lib/errors';
import type { SyncJobPayload, SyncNowInput } from './schemas';

/** Where a requested sync goes: the job queue in the app, a fake in tests. */
export interface SyncQueue {
  /** Returns the job id, or null when a sync of this integration is already waiting. */
  enqueue(payload: SyncJobPayload): Promise<string | null>;
}

export type SyncRequestResult = { state: 'queued' | 'already_queued' } | { state: 'running'; runId: string };

/**
 * "Sync now": queues a sync of one of the organization's integrations. The integration is looked up
 * under RLS and by org, a paused one is refused with its reason, and a sync that is already running
 * or waiting is reported rather than queued twice.
 */
export async function requestSync(ctx: OrgContext, input: SyncNowInput, queue: SyncQueue): Promise<SyncRequestResult> {
  const [integration] = await ctx.db<{ id: string; name: string; status: string; paused_reason: string | null }[]>`
    select id, name, status, paused_reason from public.integrations where id = ${input.integrationId} and org_id = ${ctx.org.id}`;
  if (!integration) throw new AppError('NOT_FOUND', 'Integration not found.');
  if (integration.status === 'paused') {
    throw new AppError('PRECONDITION', `${integration.name} is paused${integration.paused_reason ? `: ${integration.paused_reason}` : '.'} Resume it first.`);
  }
  const [running] = await ctx.db<{ id: string }[]>`
    select id from public.sync_runs where org_id = ${ctx.org.id} and integration_id = ${integration.id} and status = 'running'`;
  if (running) return { state: 'running', runId: running.id };
  const jobId = await queue.enqueue({ integrationId: integration.id, trigger: 'manual', requestedBy: ctx.user.id });
  await recordAudit(ctx, 'sync.requested', { type: 'integration', id: integration.id }, { queued: jobId !== null });
  return { state: jobId ? 'queued' : 'already_queued' };
}
