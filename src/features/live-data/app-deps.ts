import { asService } from '@/lib/db';
import { limitRoute } from '@/lib/rate-limit';
import { appRuntime } from '@/features/integrations/runtime/app-runtime';
import { ingestLimits } from './config';
import type { LiveDataHttpDeps } from './http';
import type { WritePoints } from './points';

/**
 * MERGE POINT (lane STORE): replace with `writeTelemetryPoints` from
 * '@/features/telemetry-store/service' once that branch is merged; until then the route answers
 * 500 for telemetry batches rather than pretend to store them (presence and counting work).
 */
const writePoints: WritePoints = async () => {
  throw new Error('The Fleetline telemetry store is not available in this build.');
};

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
