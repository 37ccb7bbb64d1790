import { asService } from '@/lib/db';
import { jobQueue } from '@/lib/jobs/queue-client';
import { logger } from '@/lib/logger';
import { limitRoute } from '@/lib/rate-limit';
import { appRuntime } from '@/features/integrations/runtime/app-runtime';
import { alertEvaluationAfterIngest } from './alert-requests';
import { ingestLimits } from './config';
import type { LiveDataHttpDeps } from './http';
import { writeTelemetryPoints as writePoints } from '@/features/telemetry-store/service';

let deps: LiveDataHttpDeps | undefined;

/** The web app's live-data dependencies (service-role database, the integration runtime, env limits, the job queue). */
export function liveDataHttpDeps(): LiveDataHttpDeps {
  if (deps) return deps;
  const afterWrite = alertEvaluationAfterIngest({ queue: jobQueue, log: logger.child({ component: 'ingest' }) });
  deps = {
    ingest: { db: asService, writePoints, limits: ingestLimits(), afterWrite },
    confirm: { db: asService, runtime: appRuntime() },
    limitConfirmation: (integrationId) => limitRoute('destinationConfirmation', integrationId),
  };
  return deps;
}
