import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, MiddlewareStack } from '@smithy/types';
import { assertOutsideTransaction } from '../db';
import { decryptCredentials, type Keyring } from '../vault';

/**
 * One set of AWS SDK v3 clients per integration, built from decrypted access keys or from a role
 * assumed with STS. Shared by server actions and the worker (no next/* imports).
 */
export interface IntegrationConnection {
  orgId: string;
  integrationId: string;
  region: string;
  authType: 'access_keys' | 'assume_role';
  /** Vault token (access_keys). */
  credentials: string | null;
  roleArn: string | null;
  externalId: string | null;
  /** The local simulator, LocalStack or a VPC endpoint: used for every service when set. */
  customEndpoint: string | null;
  /** Discovered with DescribeEndpoint(iot:Data-ATS); ignored when a custom endpoint is set. */
  iotDataEndpoint: string | null;
}

/** Fleetline's own AWS identity, which assumes customers' roles. */
export interface PlatformIdentity {
  credentials?: AwsCredentialIdentity;
}

export interface AwsClients {
  iot: IoTClient;
  iotData: IoTDataPlaneClient;
  timestream: TimestreamQueryClient;
  destroy(): void;
}

export interface ClientTuning {
  maxAttempts?: number;
  /** Milliseconds to open a connection / to wait for an answer (the preflight keeps both short). */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

function tuningConfig(tuning: ClientTuning) {
  const handler =
    tuning.connectionTimeoutMs !== undefined || tuning.requestTimeoutMs !== undefined
      ? // Without throwOnRequestTimeout the SDK only logs a breached requestTimeout and waits on a stalled endpoint forever.
        { requestHandler: { connectionTimeout: tuning.connectionTimeoutMs, requestTimeout: tuning.requestTimeoutMs, throwOnRequestTimeout: true } }
      : {};
  return { ...(tuning.maxAttempts !== undefined ? { maxAttempts: tuning.maxAttempts } : {}), ...handler };
}

/** Any client that can take middleware (every AWS SDK v3 client). */
interface MiddlewareClient {
  middlewareStack: Pick<MiddlewareStack<object, object>, 'add'>;
}

/** Every request of `client` refuses to start inside a database transaction (design §8.3). */
export function guardTransactions<C extends MiddlewareClient>(client: C): C {
  client.middlewareStack.add(
    (next, context) => (args) => {
      assertOutsideTransaction(`AWS ${context.clientName ?? 'client'} ${context.commandName ?? 'request'}`);
      return next(args);
    },
    { step: 'initialize', name: 'fleetlineOutsideTransaction', override: true },
  );
  return client;
}

/** Platform credentials from env (local stack, CI); otherwise the SDK's default provider chain. */
export function platformIdentityFromEnv(env: NodeJS.ProcessEnv = process.env): PlatformIdentity {
  const accessKeyId = env.FLEETLINE_AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.FLEETLINE_AWS_SECRET_ACCESS_KEY;
  return accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {};
}

// Refresh assumed-role credentials this long before they expire.
const EXPIRY_MARGIN_MS = 5 * 60_000;

/**
 * A provider that assumes the integration's role with its External ID and caches the temporary
 * credentials until shortly before they expire.
 */
export function assumeRoleProvider(
  conn: Pick<IntegrationConnection, 'region' | 'roleArn' | 'externalId' | 'customEndpoint' | 'integrationId'>,
  platform: PlatformIdentity,
  tuning: ClientTuning = {},
): AwsCredentialIdentityProvider {
  if (!conn.roleArn || !conn.externalId) throw new Error('assume_role integrations need a role ARN and an External ID');
  const sts = guardTransactions(
    new STSClient({
      region: conn.region,
      ...(conn.customEndpoint ? { endpoint: conn.customEndpoint } : {}),
      ...(platform.credentials ? { credentials: platform.credentials } : {}),
      ...tuningConfig(tuning),
    }),
  );
  let cached: AwsCredentialIdentity | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - EXPIRY_MARGIN_MS > Date.now()) return cached;
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: conn.roleArn!,
        ExternalId: conn.externalId!,
        RoleSessionName: `fleetline-${conn.integrationId.slice(0, 8)}`,
        DurationSeconds: 3600,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
    cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    return cached;
  };
}

/** The credentials (or provider) an integration's clients sign with. */
export function integrationCredentials(
  conn: IntegrationConnection,
  keyring: Keyring,
  platform: PlatformIdentity,
): AwsCredentialIdentity | AwsCredentialIdentityProvider {
  if (conn.authType === 'assume_role') return assumeRoleProvider(conn, platform);
  if (!conn.credentials) throw new Error('access_keys integration without stored credentials');
  return decryptCredentials(keyring, { orgId: conn.orgId, integrationId: conn.integrationId }, conn.credentials);
}

export function createAwsClients(
  conn: Pick<IntegrationConnection, 'region' | 'customEndpoint' | 'iotDataEndpoint'>,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  tuning: ClientTuning = {},
): AwsClients {
  const base = { region: conn.region, credentials, ...tuningConfig(tuning) };
  const custom = conn.customEndpoint ? { endpoint: conn.customEndpoint } : {};
  const dataEndpoint = conn.customEndpoint ?? (conn.iotDataEndpoint ? `https://${conn.iotDataEndpoint}` : undefined);
  const iot = new IoTClient({ ...base, ...custom });
  const iotData = new IoTDataPlaneClient({ ...base, ...(dataEndpoint ? { endpoint: dataEndpoint } : {}) });
  const timestream = new TimestreamQueryClient({ ...base, ...custom });
  for (const client of [iot, iotData, timestream]) guardTransactions(client);
  return {
    iot,
    iotData,
    timestream,
    destroy() {
      iot.destroy();
      iotData.destroy();
      timestream.destroy();
    },
  };
}

/** AWS error name and message, safe to store and show (SDK errors carry no credentials). */
export function describeAwsError(error: unknown): { name: string; message: string; status?: number } {
  if (typeof error === 'object' && error !== null && 'name' in error) {
    const e = error as { name: string; message?: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: (e.message ?? '').slice(0, 500), status: e.$metadata?.httpStatusCode };
  }
  return { name: 'Error', message: String(error).slice(0, 500) };
}
