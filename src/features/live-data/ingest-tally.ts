import type { Db } from '@/features/integrations/runtime/integration';
import type { IngestTarget } from './ingest-lookups';
import type { RejectReason } from './validate';

/**
 * The ingest's bookkeeping besides the data: rejection counters per reason and the integration's
 * last_message_at / last_presence_at. `directTally` writes them at once (one small transaction per
 * request that has any); `batchedTally` (the app and the standalone ingest server) adds them up in
 * memory and writes all integrations' totals in one transaction every `flushEveryMs` (default 1 s),
 * so a request costs no bookkeeping round trip. A crash loses at most that interval's counts.
 */

export interface IngestTally {
  record(target: IngestTarget, entry: { rejected?: Partial<Record<RejectReason, number>>; message?: boolean; presence?: boolean }): Promise<void>;
  /** Writes what was gathered (tests, shutdown). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

interface Pending {
  target: IngestTarget;
  rejected: Map<string, number>;
  message: boolean;
  presence: boolean;
}

async function writeTotals(db: Db, pending: readonly Pending[], touchEveryMs: number): Promise<void> {
  const counts = pending.flatMap((p) => [...p.rejected].map(([reason, count]) => ({ org_id: p.target.orgId, integration_id: p.target.integrationId, reason, count })));
  const touches = pending
    .filter((p) => p.message || p.presence)
    .map((p) => ({ org_id: p.target.orgId, integration_id: p.target.integrationId, message: p.message, presence: p.presence }));
  if (counts.length === 0 && touches.length === 0) return;
  const interval = `${touchEveryMs} milliseconds`;
  await db(async (tx) => {
    if (counts.length > 0) {
      await tx`
        insert into public.ingest_rejections as r (org_id, integration_id, reason, count, last_at)
        select x.org_id, x.integration_id, x.reason, x.count, now()
        from jsonb_to_recordset(${tx.json(counts as never)}::jsonb) as x(org_id uuid, integration_id uuid, reason text, count bigint)
        order by x.integration_id, x.reason
        on conflict (integration_id, reason) do update set count = r.count + excluded.count, last_at = excluded.last_at`;
    }
    if (touches.length > 0) {
      // Throttled in SQL too: several processes refresh the same row at most every touchEveryMs.
      await tx`
        update public.integration_live_data l set
          last_message_at = case when x.message then now() else l.last_message_at end,
          last_presence_at = case when x.presence then now() else l.last_presence_at end
        from jsonb_to_recordset(${tx.json(touches as never)}::jsonb) as x(org_id uuid, integration_id uuid, message boolean, presence boolean)
        where l.integration_id = x.integration_id and l.org_id = x.org_id
          and ((x.message and (l.last_message_at is null or l.last_message_at < now() - ${interval}::interval))
               or (x.presence and (l.last_presence_at is null or l.last_presence_at < now() - ${interval}::interval)))`;
    }
  });
}

function add(into: Map<string, Pending>, target: IngestTarget, entry: Parameters<IngestTally['record']>[1]): void {
  let p = into.get(target.integrationId);
  if (!p) {
    p = { target, rejected: new Map(), message: false, presence: false };
    into.set(target.integrationId, p);
  }
  for (const [reason, count] of Object.entries(entry.rejected ?? {})) if (count) p.rejected.set(reason, (p.rejected.get(reason) ?? 0) + count);
  p.message ||= entry.message === true;
  p.presence ||= entry.presence === true;
}

/** Writes each request's bookkeeping at once (touches throttled by touchEveryMs in SQL only). */
export function directTally(db: Db, touchEveryMs = 5_000): IngestTally {
  return {
    async record(target, entry) {
      const one = new Map<string, Pending>();
      add(one, target, entry);
      await writeTotals(db, [...one.values()], touchEveryMs);
    },
    flush: async () => undefined,
    stop: async () => undefined,
  };
}

export interface BatchedTallyOptions {
  db: Db;
  flushEveryMs?: number;
  touchEveryMs?: number;
  onError?: (error: unknown) => void;
}

export function batchedTally(options: BatchedTallyOptions): IngestTally {
  const touchEveryMs = options.touchEveryMs ?? 5_000;
  let pending = new Map<string, Pending>();
  let flushing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    flushing = flushing.then(async () => {
      if (pending.size === 0) return;
      const taken = [...pending.values()];
      pending = new Map();
      try {
        await writeTotals(options.db, taken, touchEveryMs);
      } catch (error) {
        // Counted again next time rather than lost (the touch is idempotent).
        for (const p of taken) add(pending, p.target, { rejected: Object.fromEntries(p.rejected), message: p.message, presence: p.presence });
        options.onError?.(error);
      }
    });
    return flushing;
  };
  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 1_000);
  timer.unref();
  return {
    record: async (target, entry) => add(pending, target, entry),
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
