import { z } from 'zod';
import { parseEnv } from '@/lib/env';

/** Limits of the ingest endpoint; the time window is configurable (documented in .env.example). */
export interface IngestLimits {
  /** A request body (one message or a batch), as AWS's batched HTTP action allows: 128 KiB. */
  maxRequestBytes: number;
  /** Messages per request (AWS batches at most 10). */
  maxBatch: number;
  /** One message, serialized. */
  maxMessageBytes: number;
  /** Numeric metrics per message. */
  maxMetrics: number;
  /** Largest magnitude of a metric value. */
  maxAbsValue: number;
  /** Oldest accepted timestamp, before now. */
  maxAgeMs: number;
  /** Furthest accepted timestamp after now (device clocks drift). */
  maxFutureMs: number;
}

const ingestEnvSchema = z.object({
  FLEETLINE_INGEST_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(366 * 86_400).default(86_400),
  FLEETLINE_INGEST_MAX_FUTURE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  FLEETLINE_INGEST_MAX_METRICS: z.coerce.number().int().min(1).max(500).default(64),
});

export function ingestLimits(source: Record<string, string | undefined> = process.env): IngestLimits {
  const env = parseEnv(ingestEnvSchema, source);
  return {
    maxRequestBytes: 128 * 1024,
    maxBatch: 10,
    maxMessageBytes: 32 * 1024,
    maxMetrics: env.FLEETLINE_INGEST_MAX_METRICS,
    maxAbsValue: 1e12,
    maxAgeMs: env.FLEETLINE_INGEST_MAX_AGE_SECONDS * 1000,
    maxFutureMs: env.FLEETLINE_INGEST_MAX_FUTURE_SECONDS * 1000,
  };
}
