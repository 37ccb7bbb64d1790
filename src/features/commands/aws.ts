import { describeAwsError } from '@/lib/aws/clients';
import { asService } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { VaultError } from '@/lib/vault';
import { isAuthError, isPermissionError } from '@/features/sync/errors';
import { openGovernedClients, type ClientsFactory, type GovernedClients } from '@/features/integrations/runtime/clients';
import { loadIntegration, type Db, type IntegrationForSync } from '@/features/integrations/runtime/integration';
import { defaultRate, isThrottling, isTransient, type Clock } from '@/features/integrations/runtime/quota';

/**
 * AWS calls made on a user's behalf (commands, attribute edits, the device refresh) and by bulk
 * operations: the integration's own clients (vault credentials or assumed role, as the sync builds
 * them), paced by the same quota governor under the integration's budget. Never imports next/*.
 */
export interface AwsDeps {
  /** The integration runtime's client builder (SDK retries off; the governor retries). */
  clients: ClientsFactory;
  /** Service-role database for reading the integration (its vault token is not selectable by users). */
  db?: Db;
  clock?: Clock;
  /** How long one user request may wait for AWS (throttling included). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** AWS default rates of the write APIs (reference §A.6); the read APIs use the sync's table. */
export function writeRates(region: string): Record<string, number> {
  return { UpdateThing: 100, DescribeThing: 350, UpdateThingShadow: defaultRate('GetThingShadow', region) };
}

/** The integration a device belongs to, ready for AWS calls; paused integrations are refused. */
export async function integrationForWrite(deps: AwsDeps, orgId: string, integrationId: string): Promise<IntegrationForSync> {
  const integration = await loadIntegration(deps.db ?? asService, integrationId, orgId);
  if (!integration) throw new AppError('NOT_FOUND', 'The integration of this device no longer exists.');
  if (integration.status === 'paused') {
    throw new AppError(
      'PRECONDITION',
      `${integration.name} is paused${integration.paused_reason ? `: ${integration.paused_reason}` : '.'} An admin must resume it before Fleetline writes to this AWS account.`,
    );
  }
  return integration;
}

/** Governed clients of one user request; `signal` ends with the request's deadline. */
export type RequestClients = GovernedClients & { signal: AbortSignal };

/** Clients for one request: budgeted (shared across processes), throttling retried until the request's time is up. */
export function openClients(deps: AwsDeps, integration: IntegrationForSync, signal?: AbortSignal): RequestClients {
  try {
    return openGovernedClients({ clients: deps.clients, db: deps.db ?? asService }, integration, {
      rates: writeRates(integration.region),
      clock: deps.clock,
      signal,
      deadlineMs: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    }) as RequestClients;
  } catch (error) {
    throw awsFailure(error) ?? error;
  }
}

const name = (error: unknown) => (error as { name?: string } | null)?.name ?? '';

/**
 * An AWS failure in words the user can act on, or null for a bug. Conflicts and missing things are
 * left to the caller when it has something more specific to say.
 */
export function awsFailure(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof VaultError) {
    return new AppError('PRECONDITION', 'The stored AWS credentials of this integration cannot be decrypted. An admin must rotate them.');
  }
  const e = describeAwsError(error);
  if (name(error) === 'AbortError' || name(error) === 'TimeoutError') {
    return new AppError('RATE_LIMITED', 'AWS did not answer in time (it may be throttling this account). Nothing was changed by Fleetline; try again shortly.');
  }
  if (isThrottling(error)) return new AppError('RATE_LIMITED', 'AWS is throttling this account; try again shortly.');
  if (isAuthError(error) || isPermissionError(error)) {
    return new AppError('PRECONDITION', `AWS refused the request: ${e.name}: ${e.message}`);
  }
  if (name(error) === 'ResourceNotFoundException') {
    return new AppError('NOT_FOUND', 'This thing no longer exists in AWS; the next sync will mark it removed.');
  }
  if (name(error) === 'InvalidRequestException') return new AppError('VALIDATION', `AWS rejected the request: ${e.message}`);
  if (isTransient(error)) return new AppError('PRECONDITION', `AWS is unavailable right now (${e.name}); try again shortly.`);
  if (typeof error === 'object' && error !== null && '$metadata' in error) {
    return new AppError('PRECONDITION', `AWS refused the request: ${e.name}: ${e.message}`);
  }
  return null;
}
