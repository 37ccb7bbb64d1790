import type { IoTClient } from '@aws-sdk/client-iot';
import { openGovernedClients, type RuntimeDeps } from '@/features/integrations/runtime/clients';
import type { IntegrationForSync } from '@/features/integrations/runtime/integration';

/** OTA reads and writes: the integration runtime's governed clients (shared budget, governor retries). */
export type OtaRuntime = RuntimeDeps;

const OTA_TIMEOUTS = { connectionTimeoutMs: 5_000, requestTimeoutMs: 15_000 };

/** Runs `fn` with the integration's governed IoT client, giving up after `deadlineMs`, and closes it. */
export async function withIot<T>(
  runtime: OtaRuntime,
  integration: IntegrationForSync,
  deadlineMs: number,
  fn: (iot: IoTClient, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const aws = openGovernedClients(runtime, integration, { deadlineMs, tuning: OTA_TIMEOUTS });
  try {
    return await fn(aws.clients.iot, aws.signal!);
  } finally {
    aws.close();
  }
}
