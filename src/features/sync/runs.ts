import type { Tx } from '@/lib/db';
import type { Db, IntegrationForSync } from '@/features/integrations/runtime/integration';
import { CREDENTIAL_ERROR_CODES, LeaseLostError } from './errors';
import type { ApiStats } from '@/features/integrations/runtime/quota';
import type { SyncMode } from './model';
import type { SyncTrigger } from './schemas';

/**
 * A run's `sync_runs` row is also its lease: one running row per integration (unique index), every
 * page's transaction re-checks it (fencing), and a stale heartbeat lets a dead worker's run be taken over.
 */

export { loadIntegration, type Db, type IntegrationForSync } from '@/features/integrations/runtime/integration';

export interface RunCounters {
  thingsSeen: number;
  devicesUpserted: number;
  devicesUnchanged: number;
  devicesRemoved: number;
  /** Rows written a second time in this run for their groups (registry mode, memberships that arrived late). */
  devicesRegrouped: number;
  shadowHistoryRows: number;
  shadowErrors: number;
  commandsResolved: number;
  otaJobs: number;
}

export function emptyCounters(): RunCounters {
  return { thingsSeen: 0, devicesUpserted: 0, devicesUnchanged: 0, devicesRemoved: 0, devicesRegrouped: 0, shadowHistoryRows: 0, shadowErrors: 0, commandsResolved: 0, otaJobs: 0 };
}

export type RunPhase = 'starting' | 'catalog' | 'things' | 'ota' | 'finishing';

export interface RunProgress {
  phase: RunPhase;
  pagesDone: number;
  thingsSoFar: number;
  /** Things the previous successful run saw, for a progress bar (null on a first sync). */
  expectedThings: number | null;
}

export interface RunState {
  mode: SyncMode | null;
  counters: RunCounters;
  progress: RunProgress;
  apiStats: Record<string, ApiStats>;
  totals: { calls: number; throttled: number; retries: number };
  warnings: string[];
}

export interface StartRunInput {
  integration: Pick<IntegrationForSync, 'id' | 'org_id'>;
  trigger: SyncTrigger;
  requestedBy: string | null;
  jobId: string | null;
  workerId: string | null;
  /** A running row without a heartbeat for this long belongs to a dead worker. */
  staleAfterSeconds: number;
}

export type StartRunResult = { runId: string; expectedThings: number | null } | { busyRunId: string };

export async function startRun(db: Db, input: StartRunInput): Promise<StartRunResult> {
  const { id, org_id: orgId } = input.integration;
  return db(async (tx) => {
    await tx`select id from public.integrations where id = ${id} and org_id = ${orgId} for update`;
    await tx`
      update public.sync_runs set status = 'failed', finished_at = now(), error_code = 'WorkerLost',
        error = 'The worker running this sync stopped responding; what it had written was kept and nothing was removed.'
      where org_id = ${orgId} and integration_id = ${id} and status = 'running'
        and heartbeat_at < now() - make_interval(secs => ${input.staleAfterSeconds})`;
    const [created] = await tx<{ id: string }[]>`
      insert into public.sync_runs (org_id, integration_id, trigger, requested_by, job_id, worker_id, progress)
      values (${orgId}, ${id}, ${input.trigger}, ${input.requestedBy}, ${input.jobId}, ${input.workerId},
              ${tx.json({ phase: 'starting', pagesDone: 0, thingsSoFar: 0, expectedThings: null })})
      on conflict (integration_id) where status = 'running' do nothing
      returning id`;
    if (!created) {
      const [running] = await tx<{ id: string }[]>`
        select id from public.sync_runs where org_id = ${orgId} and integration_id = ${id} and status = 'running'`;
      return { busyRunId: running!.id };
    }
    const [previous] = await tx<{ things_seen: number }[]>`
      select things_seen from public.sync_runs
      where org_id = ${orgId} and integration_id = ${id} and status = 'succeeded'
      order by started_at desc limit 1`;
    return { runId: created.id, expectedThings: previous?.things_seen ?? null };
  });
}

function stateColumns(s: RunState) {
  const c = s.counters;
  return {
    mode: s.mode,
    things_seen: c.thingsSeen,
    devices_upserted: c.devicesUpserted,
    devices_unchanged: c.devicesUnchanged,
    devices_removed: c.devicesRemoved,
    shadow_history_rows: c.shadowHistoryRows,
    shadow_errors: c.shadowErrors,
    commands_resolved: c.commandsResolved,
    ota_jobs: c.otaJobs,
    api_calls: s.totals.calls,
    throttled: s.totals.throttled,
    retries: s.totals.retries,
  };
}

/** Records progress and proves the lease in the caller's transaction; throws LeaseLostError when it is gone. */
export async function checkpoint(tx: Tx, runId: string, s: RunState): Promise<void> {
  const rows = await tx`
    update public.sync_runs set ${tx(stateColumns(s))}, api_stats = ${tx.json(s.apiStats as never)},
      progress = ${tx.json(s.progress as never)}, warnings = ${s.warnings}, heartbeat_at = now()
    where id = ${runId} and status = 'running'
    returning id`;
  if (rows.length === 0) throw new LeaseLostError();
}

export async function heartbeat(db: Db, runId: string): Promise<boolean> {
  const rows = await db((tx) => tx`update public.sync_runs set heartbeat_at = now() where id = ${runId} and status = 'running' returning id`);
  return rows.length > 0;
}

export interface RunEnd {
  status: 'succeeded' | 'failed' | 'cancelled';
  completeListing: boolean;
  error: string | null;
  errorCode: string | null;
}

/** Closes the run; returns false when the lease had already been lost. */
export async function finishRun(tx: Tx, runId: string, s: RunState, end: RunEnd): Promise<boolean> {
  const rows = await tx`
    update public.sync_runs set ${tx(stateColumns(s))}, api_stats = ${tx.json(s.apiStats as never)},
      progress = ${tx.json(s.progress as never)}, warnings = ${s.warnings}, status = ${end.status},
      complete_listing = ${end.completeListing}, error = ${end.error}, error_code = ${end.errorCode},
      heartbeat_at = now(), finished_at = now()
    where id = ${runId} and status = 'running'
    returning id`;
  return rows.length > 0;
}

/** After a run: the integration's status, last sync and last error; pauses after repeated credential failures. */
export async function recordOutcome(
  tx: Tx,
  integration: Pick<IntegrationForSync, 'id' | 'org_id'>,
  end: RunEnd & { credentialFailure: boolean },
  pauseAfter: number,
): Promise<{ paused: boolean }> {
  const { id, org_id: orgId } = integration;
  if (end.status === 'succeeded') {
    await tx`
      update public.integrations set last_sync_at = now(), last_error = null,
        status = case when status = 'paused' then status else 'active'::public.integration_status end
      where id = ${id} and org_id = ${orgId}`;
    return { paused: false };
  }
  if (end.status === 'cancelled') return { paused: false };
  const message = (end.error ?? 'The sync failed.').slice(0, 2000);
  if (end.credentialFailure) {
    const recent = await tx<{ credential: boolean }[]>`
      select status = 'failed' and error_code = any(${CREDENTIAL_ERROR_CODES}::text[]) as credential
      from public.sync_runs
      where org_id = ${orgId} and integration_id = ${id} and status in ('succeeded', 'failed')
      order by started_at desc limit ${pauseAfter}`;
    if (recent.length >= pauseAfter && recent.every((r) => r.credential)) {
      const reason = `Paused after ${pauseAfter} syncs in a row failed on the AWS credentials (${message}). Update the credentials or the role, then resume.`;
      await tx`
        update public.integrations set status = 'paused', paused_reason = ${reason.slice(0, 500)}, last_error = ${message}
        where id = ${id} and org_id = ${orgId}`;
      return { paused: true };
    }
  }
  await tx`
    update public.integrations set last_error = ${message},
      status = case when status = 'paused' then status else 'error'::public.integration_status end
    where id = ${id} and org_id = ${orgId}`;
  return { paused: false };
}
