import type { Tx } from '@/lib/db';

/**
 * The telemetry store's write contract (lane STORE owns src/features/telemetry-store/service.ts and
 * exports the same shapes). Live data is given the writer as a dependency, so the ingest is tested
 * against this contract and wired to the real store in one place (ingest-runtime.ts).
 */
export interface TelemetryPoint {
  orgId: string;
  integrationId: string;
  deviceId: string;
  metric: string;
  ts: Date;
  value: number;
}

/** One multi-row insert in a service-role transaction; the store keeps its rollups up to date itself. */
export type WritePoints = (db: Tx, points: TelemetryPoint[]) => Promise<{ written: number }>;
