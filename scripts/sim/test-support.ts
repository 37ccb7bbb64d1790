// Helpers for the simulator's contract tests: start a simulator on a free port and build real SDK clients.

import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { STSClient } from '@aws-sdk/client-sts';
import { TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { DEMO_CREDENTIALS, DEMO_REGION, type SimCredentials } from './config';
import { startSimulator, type RunningSimulator } from './server';
import type { SimulatorOptions } from './simulator';

/** A fixed simulated start (a Sunday noon UTC) so tests do not depend on the wall clock. */
export const TEST_START_MS = Date.UTC(2026, 10, 1, 12, 0, 0);

/**
 * Frozen simulated time (scale 0): only `control.advanceTime` moves it, which keeps tests deterministic.
 * Quotas are off unless a test asks for them, so paging tests are not slowed down by SDK back-off.
 */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0, clock: { startMs: TEST_START_MS, scale: 0 }, quotas: { enabled: false }, ...options });
}

export interface ClientOptions {
  credentials?: SimCredentials & { sessionToken?: string };
  region?: string;
  maxAttempts?: number;
}

export function clients(sim: RunningSimulator, opts: ClientOptions = {}) {
  const config = {
    endpoint: sim.url,
    region: opts.region ?? DEMO_REGION,
    credentials: opts.credentials ?? DEMO_CREDENTIALS,
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
  };
  return {
    iot: new IoTClient(config),
    data: new IoTDataPlaneClient(config),
    sts: new STSClient(config),
    timestream: new TimestreamQueryClient(config),
  };
}

export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

export function decodeJson<T = Record<string, unknown>>(payload: Uint8Array | undefined): T {
  return JSON.parse(new TextDecoder().decode(payload)) as T;
}

export interface AwsErrorLike {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number; attempts?: number };
}

/** Runs a call that must fail and returns the SDK error for assertions. */
export async function failure(call: Promise<unknown>): Promise<AwsErrorLike> {
  try {
    await call;
  } catch (err) {
    return err as AwsErrorLike;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
