import type { Logger } from 'pino';
import type { Tx } from '@/lib/db';
import { applyRetention, ensurePartitions, type RetentionResult } from '@/features/telemetry-store/service';

/**
 * Upkeep of the telemetry store: daily partitions a week ahead (so writes never wait on DDL), and
 * retention (whole partitions dropped, shorter org retentions trimmed, rollups aged out). Both are
 * idempotent, so a retried or doubled job is harmless.
 */
export interface TelemetryMaintenanceDeps {
  /** A service-role transaction (asService). */
  db: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  log: Logger;
}

export const PARTITION_DAYS_AHEAD = 7;

export async function handleTelemetryPartitionsJob(deps: TelemetryMaintenanceDeps): Promise<{ created: number }> {
  const result = await deps.db((tx) => ensurePartitions(tx, PARTITION_DAYS_AHEAD));
  if (result.created > 0) deps.log.info(result, 'telemetry partitions created');
  return result;
}

export async function handleTelemetryRetentionJob(deps: TelemetryMaintenanceDeps, now: Date = new Date()): Promise<RetentionResult> {
  const result = await deps.db((tx) => applyRetention(tx, now));
  deps.log.info(result, 'telemetry retention applied');
  return result;
}
