import { asService } from '@/lib/db';
import { jobQueue } from '@/lib/jobs/queue-client';
import { logger } from '@/lib/logger';
import { limitRoute } from '@/lib/rate-limit';
import { appRuntime } from '@/features/integrations/runtime/app-runtime';
import { alertEvaluationAfterIngest } from './alert-requests';
import { ingestLimits } from './config';
import type { LiveDataHttpDeps } from './http';
import { createWriteCombiner, type WriteCombiner } from '@/features/telemetry-store/combiner';

let deps: LiveDataHttpDeps | undefined;
/** One write combiner per process: the points of concurrent ingest requests share a statement. */
let combiner: WriteCombiner | undefined;

export function ingestWriteCombiner(): WriteCombiner {
  combiner ??= createWriteCombiner({ db: asService });
  return combiner;
}

/** The web app's live-data dependencies (service-role database, the integration runtime, env limits, the job queue). */
export function liveDataHttpDeps(): LiveDataHttpDeps {
  if (deps) return deps;
  const afterWrite = alertEvaluationAfterIngest({ queue: jobQueue, log: logger.child({ component: 'ingest' }) });
  deps = {
    ingest: { db: asService, writePoints: (points) => ingestWriteCombiner().write(points), limits: ingestLimits(), afterWrite },
    confirm: { db: asService, runtime: appRuntime() },
    limitConfirmation: (integrationId) => limitRoute('destinationConfirmation', integrationId),
  };
  return deps;
}
