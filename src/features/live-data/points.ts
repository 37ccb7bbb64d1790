import type { Tx } from '@/lib/db';
import type { TelemetryPoint, writeTelemetryPoints } from '@/features/telemetry-store/service';

/**
 * The telemetry store's writer as live data takes it: a dependency, so the ingest can be tested with
 * a stand-in, and wired to the real store in one place (app-deps.ts).
 */
export type { TelemetryPoint };
export type WritePoints = (db: Tx, points: TelemetryPoint[]) => ReturnType<typeof writeTelemetryPoints>;
