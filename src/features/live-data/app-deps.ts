import { asService } from '@/lib/db';
import { limitRoute } from '@/lib/rate-limit';
import { appRuntime } from '@/features/integrations/runtime/app-runtime';
import { ingestLimits } from './config';
import type { LiveDataHttpDeps } from './http';
import { writeTelemetryPoints as writePoints } from '@/features/telemetry-store/service';

let deps: LiveDataHttpDeps | undefined;

/** The web app's live-data dependencies (service-role database, the integration runtime, env limits). */
export function liveDataHttpDeps(): LiveDataHttpDeps {
  deps ??= {
    ingest: { db: asService, writePoints, limits: ingestLimits() },
    confirm: { db: asService, runtime: appRuntime() },
    limitConfirmation: (integrationId) => limitRoute('destinationConfirmation', integrationId),
  };
  return deps;
}
