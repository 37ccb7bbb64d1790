import type { Tx } from '@/lib/db';
import { checkTelemetryPoints, writeTelemetryGroups, type TelemetryPoint, type WriteOptions } from './service';

/**
 * Group commit for the store's writer: concurrent ingest requests hand their points to one combiner
 * per process, which gathers them for a few milliseconds (bounded by a point count) and writes them in
 * one statement and one transaction. Each caller's promise settles after that transaction commits, so
 * a request is still acknowledged only once its points are durable; what it saves is the per-request
 * statement, transaction and WAL flush (and the hot rollup rows are updated once per flush instead of
 * once per request). With `rollups: 'queued'` the flush writes only the raw rows (and their queue
 * row) and the rollups are folded afterwards, in bigger batches, by the rollup folder. At most `maxInFlight` flushes run at once; while they do, points keep gathering.
 */

export type Db = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

export interface WriteCombinerOptions {
  /** A service-role transaction runner (asService). */
  db: Db;
  /** How long the first waiting batch waits for company before a flush starts (ms). */
  maxWaitMs?: number;
  /** Points per flush; a flush starts at once when this many are waiting. */
  maxPoints?: number;
  /** Flushes (transactions) in progress at once. */
  maxInFlight?: number;
  /** Rollups in the flush's statement (default) or queued for the rollup folder (rollup-folder.ts). */
  rollups?: WriteOptions['rollups'];
  /** The statement of one flush; the store's writer unless a unit test replaces it. */
  writeGroups?: typeof writeTelemetryGroups;
}

export interface WriteCombinerStats {
  flushes: number;
  batches: number;
  points: number;
  failedFlushes: number;
}

export interface WriteCombiner {
  /** Resolves with how many of `points` went in, after the flush holding them committed. */
  write(points: readonly TelemetryPoint[]): Promise<{ written: number }>;
  stats(): WriteCombinerStats;
}

interface Waiting {
  points: readonly TelemetryPoint[];
  resolve: (result: { written: number }) => void;
  reject: (error: unknown) => void;
}

export function createWriteCombiner(options: WriteCombinerOptions): WriteCombiner {
  const maxWaitMs = options.maxWaitMs ?? 2;
  const maxPoints = options.maxPoints ?? 5_000;
  const maxInFlight = options.maxInFlight ?? 2;
  const writeGroups = options.writeGroups ?? writeTelemetryGroups;
  let waiting: Waiting[] = [];
  let waitingPoints = 0;
  let inFlight = 0;
  let timer: NodeJS.Timeout | null = null;
  const stats: WriteCombinerStats = { flushes: 0, batches: 0, points: 0, failedFlushes: 0 };

  function schedule(): void {
    if (waiting.length === 0 || inFlight >= maxInFlight) return; // a finishing flush calls back
    if (waitingPoints >= maxPoints) {
      start();
      return;
    }
    timer ??= setTimeout(() => {
      timer = null;
      if (inFlight < maxInFlight) start();
    }, maxWaitMs);
  }

  function take(): Waiting[] {
    // Whole callers only, at least one, up to maxPoints.
    let count = 0;
    let k = 0;
    while (k < waiting.length && (k === 0 || count + waiting[k]!.points.length <= maxPoints)) count += waiting[k++]!.points.length;
    const taken = waiting.slice(0, k);
    waiting = waiting.slice(k);
    waitingPoints -= count;
    return taken;
  }

  function start(): void {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    const batch = take();
    if (batch.length === 0) return;
    inFlight++;
    stats.flushes++;
    stats.batches += batch.length;
    options
      .db((tx) => writeGroups(tx, batch.map((w) => w.points), { rollups: options.rollups }))
      .then(
        ({ written }) => {
          stats.points += written.reduce((a, b) => a + b, 0);
          batch.forEach((w, i) => w.resolve({ written: written[i]! }));
        },
        (error: unknown) => {
          stats.failedFlushes++;
          for (const w of batch) w.reject(error);
        },
      )
      .finally(() => {
        inFlight--;
        // Whatever gathered meanwhile has waited long enough.
        if (waiting.length > 0) start();
      });
    if (inFlight < maxInFlight) schedule();
  }

  return {
    write(points) {
      if (points.length === 0) return Promise.resolve({ written: 0 });
      // A malformed batch fails alone, before it can share (and fail) a flush.
      try {
        checkTelemetryPoints(points);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return new Promise((resolve, reject) => {
        waiting.push({ points, resolve, reject });
        waitingPoints += points.length;
        schedule();
      });
    },
    stats: () => ({ ...stats }),
  };
}
