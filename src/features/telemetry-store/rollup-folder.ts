import type { Db } from './combiner';
import { foldQueuedRollups } from './service';

/**
 * The rollup loop of a process that writes with `rollups: 'queued'` (the ingest): folds the queue of
 * committed raw batches into the device and fleet rollups every `everyMs`, and at once again while a
 * fold found a full load (so it catches up under load). It drains right away on start, which is
 * what recovers the batches a crashed process committed but never folded; several processes may run
 * one (a batch is folded exactly once). Bigger folds are cheaper per point: points of one device and
 * bucket from many requests merge into one upsert.
 */

export interface RollupFolderOptions {
  db: Db;
  everyMs?: number;
  /** Queue rows (writer flushes) per fold statement. */
  maxBatches?: number;
  onError?: (error: unknown) => void;
}

export interface RollupFolderStats {
  folds: number;
  batches: number;
  points: number;
  failed: number;
}

export interface RollupFolder {
  /** Folds until the queue is empty (tests, shutdown); resolves with the points folded. */
  drain(): Promise<number>;
  /** Stops the loop after a last drain. */
  stop(): Promise<void>;
  stats(): RollupFolderStats;
}

export function startRollupFolder(options: RollupFolderOptions): RollupFolder {
  const everyMs = options.everyMs ?? 250;
  const maxBatches = options.maxBatches ?? 200;
  const stats: RollupFolderStats = { folds: 0, batches: 0, points: 0, failed: 0 };
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  // One fold at a time per process: the loop and drain() share this chain.
  let running: Promise<unknown> = Promise.resolve();

  const foldOnce = (): Promise<{ batches: number; points: number }> => {
    const next = running.then(async () => {
      const result = await options.db((tx) => foldQueuedRollups(tx, maxBatches));
      stats.folds++;
      stats.batches += result.batches;
      stats.points += result.points;
      return result;
    });
    running = next.catch(() => undefined);
    return next;
  };

  async function drain(): Promise<number> {
    let points = 0;
    for (;;) {
      const r = await foldOnce();
      points += r.points;
      if (r.batches === 0) return points;
    }
  }

  function loop(): void {
    if (stopped) return;
    foldOnce().then(
      (r) => {
        timer = setTimeout(loop, r.batches >= maxBatches ? 0 : everyMs);
        timer.unref();
      },
      (error: unknown) => {
        stats.failed++;
        options.onError?.(error);
        timer = setTimeout(loop, everyMs * 4);
        timer.unref();
      },
    );
  }
  loop();

  return {
    drain,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await drain().catch((error: unknown) => options.onError?.(error));
    },
    stats: () => ({ ...stats }),
  };
}
