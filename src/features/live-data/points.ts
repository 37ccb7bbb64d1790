import type { TelemetryPoint } from '@/features/telemetry-store/service';

/**
 * The telemetry store's writer as live data takes it: a dependency, so the ingest can be tested with
 * a stand-in, and wired to the real store (the write combiner) in one place (app-deps.ts). It runs
 * its own transaction and resolves once the points are committed.
 */
export type { TelemetryPoint };
export type WritePoints = (points: TelemetryPoint[]) => Promise<{ written: number }>;
