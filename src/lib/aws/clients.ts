import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, MiddlewareStack } from '@smithy/types';
import { assertOutsideTransaction } from '../db';
import {
  GuardedHttpAgent,
  GuardedHttpsAgent,
  OutboundAddressError,
  assertCustomEndpointAllowed,
  outboundPolicyFromEnv,
  type OutboundPolicy,
} from '../net/outbound-guard';
import { decryptCredentials, type Keyring } from '../vault';
import { isIotDataEndpoint } from './data-endpoint';

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
  /** Where its STS calls go (the simulator locally); unset = AWS's regional STS. Never a tenant's endpoint. */
  stsEndpoint?: string;
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

/** The SDK's Node handler, every socket of which passes the outbound-address guard (lib/net). */
function guardedHandler(policy: OutboundPolicy, tuning: ClientTuning): NodeHttpHandler {
  const agent = { keepAlive: true, maxSockets: 50 };
  return new NodeHttpHandler({
    httpAgent: new GuardedHttpAgent(policy, agent),
    httpsAgent: new GuardedHttpsAgent(policy, agent),
    connectionTimeout: tuning.connectionTimeoutMs,
    requestTimeout: tuning.requestTimeoutMs,
    // Without it the SDK only logs a breached requestTimeout and waits on a stalled endpoint forever.
    throwOnRequestTimeout: true,
  });
}

/** STS signed with Fleetline's own identity: always the platform's endpoint, never a tenant's. */
export function platformStsClient(region: string, platform: PlatformIdentity, tuning: ClientTuning = {}): STSClient {
  return guardTransactions(
    new STSClient({
      region,
      ...(platform.stsEndpoint ? { endpoint: platform.stsEndpoint } : {}),
      ...(platform.credentials ? { credentials: platform.credentials } : {}),
      ...tuningConfig(tuning),
    }),
  );
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
  const stsEndpoint = env.FLEETLINE_AWS_STS_ENDPOINT;
  return {
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    ...(stsEndpoint ? { stsEndpoint } : {}),
  };
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
  // conn.customEndpoint is deliberately ignored: this request is signed with Fleetline's identity.
  const sts = platformStsClient(conn.region, platform, tuning);
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
  const policy = outboundPolicyFromEnv();
  // Checked again here, not only at input: the allow-list may have changed since the row was saved.
  if (conn.customEndpoint) assertCustomEndpointAllowed(conn.customEndpoint, policy);
  else if (conn.iotDataEndpoint && !isIotDataEndpoint(conn.iotDataEndpoint, conn.region)) throw new OutboundAddressError();
  const base = () => ({ region: conn.region, credentials, ...tuningConfig(tuning), requestHandler: guardedHandler(policy, tuning) });
  const custom = conn.customEndpoint ? { endpoint: conn.customEndpoint } : {};
  const dataEndpoint = conn.customEndpoint ?? (conn.iotDataEndpoint ? `https://${conn.iotDataEndpoint}` : undefined);
  const iot = new IoTClient({ ...base(), ...custom });
  const iotData = new IoTDataPlaneClient({ ...base(), ...(dataEndpoint ? { endpoint: dataEndpoint } : {}) });
  const timestream = new TimestreamQueryClient({ ...base(), ...custom });
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

/** AWS error name and a short safe message (see ./errors: the one sanitizer). */
export { sanitizeAwsError as describeAwsError } from './errors';
