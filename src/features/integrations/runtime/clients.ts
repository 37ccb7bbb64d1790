import { createHash } from 'node:crypto';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { LRUCache } from 'lru-cache';
import { createAwsClients, integrationCredentials, type AwsClients, type ClientTuning, type IntegrationConnection, type PlatformIdentity } from '@/lib/aws/clients';
import type { Keyring } from '@/lib/vault';
import { integrationConnection, type Db, type IntegrationForSync } from './integration';
import { QuotaGovernor, type Clock, type RetryPolicy } from './quota';
import { sharedBudget } from './shared-budget';

/**
 * The one door from Fleetline to an integration's AWS account: its clients are built here (SDK
 * retries off) and every request goes through a QuotaGovernor on the integration's budget, shared
 * across processes through Postgres. Sync, bulk, commands, device refresh, OTA, telemetry and
 * preflight all open their clients with `openGovernedClients`. Never imports next/*.
 */

/** Timeouts only: the SDK's own retries are always off (`maxAttempts: 1`), the governor retries. */
export type ConnectionTuning = Pick<ClientTuning, 'connectionTimeoutMs' | 'requestTimeoutMs'>;

/** Builds an integration's raw clients; tests wrap it to observe or fault requests. */
export type ClientsFactory = (integration: IntegrationForSync, tuning?: ConnectionTuning) => AwsClients;

type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Everything the clients are built from, so rotated credentials or a changed endpoint miss the cache. */
function credentialKey(i: IntegrationForSync): string {
  return createHash('sha256')
    .update(JSON.stringify([i.id, i.org_id, i.region, i.auth_type, i.credentials, i.role_arn, i.external_id, i.custom_endpoint]))
    .digest('base64url');
}

/**
 * Clients from the integration's vault token (decrypted here) or its assumed role. Credentials are
 * kept per integration for a while, so an assumed role is not assumed again on every request.
 */
export function integrationClients(keyring: Keyring, platform: PlatformIdentity): ClientsFactory {
  const credentials = new LRUCache<string, Credentials>({ max: 500, ttl: 10 * 60_000 });
  return (integration, tuning = {}) => {
    const conn = integrationConnection(integration);
    const key = credentialKey(integration);
    let creds = credentials.get(key);
    if (!creds) {
      creds = integrationCredentials(conn, keyring, platform);
      credentials.set(key, creds);
    }
    return createAwsClients(conn, creds, { ...tuning, maxAttempts: 1 });
  };
}

export interface RuntimeDeps {
  clients: ClientsFactory;
  /** Service-role database holding the shared buckets; without one the budget is this process's alone. */
  db?: Db;
}

export interface OpenOptions {
  /** Per-API replacements of AWS's default rates (before the integration's budget applies). */
  rates?: Partial<Record<string, number>>;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  signal?: AbortSignal;
  /** Interactive calls: give up after this long, throttling waits included. */
  deadlineMs?: number;
  tuning?: ConnectionTuning;
}

export interface GovernedClients {
  clients: AwsClients;
  governor: QuotaGovernor;
  /** The caller's signal combined with the deadline, if any: pass it to `send` as `abortSignal`. */
  signal: AbortSignal | undefined;
  close(): void;
}

interface Budgeted {
  integrationId: string;
  region: string;
  budget: number;
  db?: Db;
}

function govern(clients: AwsClients, budgeted: Budgeted, options: OpenOptions): GovernedClients {
  const deadline = options.deadlineMs !== undefined ? AbortSignal.timeout(options.deadlineMs) : undefined;
  const signal = options.signal && deadline ? AbortSignal.any([options.signal, deadline]) : (options.signal ?? deadline);
  const governor = new QuotaGovernor({
    region: budgeted.region,
    budget: budgeted.budget,
    rates: options.rates,
    retry: options.retry,
    clock: options.clock,
    signal,
    shared: budgeted.db ? sharedBudget(budgeted.db).forIntegration(budgeted.integrationId) : undefined,
  });
  governor.attach(clients.iot);
  governor.attach(clients.iotData);
  governor.attach(clients.timestream);
  return { clients, governor, signal, close: () => clients.destroy() };
}

/** A stored integration's clients, every request through its budget (shared across processes when `db` is set). */
export function openGovernedClients(deps: RuntimeDeps, integration: IntegrationForSync, options: OpenOptions = {}): GovernedClients {
  const clients = deps.clients(integration, options.tuning);
  return govern(clients, { integrationId: integration.id, region: integration.region, budget: integration.sync_budget, db: deps.db }, options);
}

/**
 * Clients for credentials not stored yet (the preflight of a draft): the same SDK settings and
 * governor, on a full budget of this process's own (no stored integration to share a bucket with).
 */
export function openDraftClients(
  connection: Pick<IntegrationConnection, 'integrationId' | 'region' | 'customEndpoint' | 'iotDataEndpoint'>,
  credentials: Credentials,
  options: OpenOptions = {},
): GovernedClients {
  const clients = createAwsClients(connection, credentials, { ...options.tuning, maxAttempts: 1 });
  return govern(clients, { integrationId: connection.integrationId, region: connection.region, budget: 1 }, options);
}
