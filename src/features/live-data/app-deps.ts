import { asService } from '@/lib/db';
import { jobQueue } from '@/lib/jobs/queue-client';
import { ALERTS_EVALUATE_SLOT_SECONDS, enqueueAlertEvaluation } from '@/lib/jobs/queues';
import { logger } from '@/lib/logger';
import { limitRoute } from '@/lib/rate-limit';
import { appRuntime } from '@/features/integrations/runtime/app-runtime';
import { throttledAlertRequests } from './alert-requests';
import { ingestLimits } from './config';
import type { LiveDataHttpDeps } from './http';
import { writeTelemetryPoints as writePoints } from '@/features/telemetry-store/service';

let deps: LiveDataHttpDeps | undefined;

/** The web app's live-data dependencies (service-role database, the integration runtime, env limits, the job queue). */
export function liveDataHttpDeps(): LiveDataHttpDeps {
  if (deps) return deps;
  const log = logger.child({ component: 'ingest' });
  // A batch that changed presence or telemetry asks the worker to evaluate the org's alert rules.
  const alerts = throttledAlertRequests({
    send: async (orgId) => enqueueAlertEvaluation(await jobQueue(), { orgId }),
    windowMs: ALERTS_EVALUATE_SLOT_SECONDS * 1000,
    onError: (err, orgId) => log.error({ err, orgId }, 'could not request an alert evaluation after live data'),
  });
  deps = {
    ingest: { db: asService, writePoints, limits: ingestLimits(), afterWrite: (change) => alerts.request(change.orgId) },
    confirm: { db: asService, runtime: appRuntime() },
    limitConfirmation: (integrationId) => limitRoute('destinationConfirmation', integrationId),
  };
  return deps;
}
