import { asService } from '@/lib/db';
import { jobQueue } from '@/lib/jobs/queue-client';
import { logger } from '@/lib/logger';
import { limitRoute } from '@/lib/rate-limit';
import { appRuntime } from '@/features/integrations/runtime/app-runtime';
import { createWriteCombiner, type WriteCombiner } from '@/features/telemetry-store/combiner';
import { startRollupFolder, type RollupFolder } from '@/features/telemetry-store/rollup-folder';
import { alertEvaluationAfterIngest } from './alert-requests';
import { ingestLimits } from './config';
import type { LiveDataHttpDeps } from './http';
import { cachedLookups } from './ingest-lookups';
import { batchedTally, type IngestTally } from './ingest-tally';

/**
 * The ingest's per-process parts, shared by the Next.js route and the standalone ingest server
 * (scripts/ingest-server.ts): one write combiner (raw rows only; the answer follows their commit),
 * one rollup folder (folds the committed batches into the rollups, drains leftovers on start), the
 * cached auth records and device names (5 s TTL) and the batched rejection counters (1 s).
 */
export interface IngestRuntime {
  combiner: WriteCombiner;
  folder: RollupFolder;
  tally: IngestTally;
  deps: LiveDataHttpDeps;
  /** Flushes counters and folds what is queued (graceful shutdown). */
  stop(): Promise<void>;
}

let runtime: IngestRuntime | undefined;

export function ingestRuntime(): IngestRuntime {
  if (runtime) return runtime;
  const log = logger.child({ component: 'ingest' });
  // Four flushes in flight: raw-only flushes do not contend on rollup rows, so they overlap well.
  const combiner = createWriteCombiner({ db: asService, rollups: 'queued', maxInFlight: 4 });
  const folder = startRollupFolder({ db: asService, onError: (err) => log.error({ err }, 'rollup fold failed; retrying') });
  const tally = batchedTally({ db: asService, onError: (err) => log.error({ err }, 'ingest counters not written; retrying') });
  const deps: LiveDataHttpDeps = {
    ingest: {
      db: asService,
      writePoints: (points) => combiner.write(points),
      limits: ingestLimits(),
      lookups: cachedLookups({ db: asService }),
      tally,
      // Live data feeds alert evaluation (debounced queue request).
      afterWrite: alertEvaluationAfterIngest({ queue: jobQueue, log }),
    },
    confirm: { db: asService, runtime: appRuntime() },
    limitConfirmation: (integrationId) => limitRoute('destinationConfirmation', integrationId),
  };
  runtime = {
    combiner,
    folder,
    tally,
    deps,
    async stop() {
      await tally.stop();
      await folder.stop();
    },
  };
  return runtime;
}

/** The web app's live-data dependencies (service-role database, the integration runtime, env limits). */
export function liveDataHttpDeps(): LiveDataHttpDeps {
  return ingestRuntime().deps;
}
