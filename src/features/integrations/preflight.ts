import {
  DescribeEndpointCommand,
  GetIndexingConfigurationCommand,
  ListJobsCommand,
  ListTopicRulesCommand,
  ListThingsCommand,
  SearchIndexCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { GetThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { QueryCommand } from '@aws-sdk/client-timestream-query';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { assumeRoleProvider, describeAwsError, platformStsClient, type ClientTuning, type PlatformIdentity } from '@/lib/aws/clients';
import { isIotDataEndpoint } from '@/lib/aws/data-endpoint';
import { OutboundAddressError, isCustomEndpointAllowed, isOutboundAddressError, outboundPolicyFromEnv } from '@/lib/net/outbound-guard';
import { openDraftClients, type OpenOptions } from './runtime/clients';
import type { AwsCredentials } from '@/lib/vault';
import type { CapabilityId } from './aws-calls';
import { CHECKS, type AuthFailureKind, type CheckResult, type PreflightReport, type SyncMode } from './capabilities';

/**
 * "Test connection": authenticate (keys, or the role with its External ID), discover the IoT data
 * endpoint, then one cheap call per capability. Authentication failures stop it with a human
 * message; a refused permission is one ✗ line. Shared by actions, the worker and the seed script.
 */
export type PreflightAuth =
  | { type: 'access_keys'; credentials: AwsCredentials }
  | { type: 'assume_role'; roleArn: string; externalId: string };

export interface PreflightTarget {
  integrationId: string;
  region: string;
  customEndpoint: string | null;
  timestreamDatabase: string | null;
  timestreamTable: string | null;
  auth: PreflightAuth;
}

export interface PreflightOptions {
  platform: PlatformIdentity;
  /** Few attempts and short timeouts, so a bad key or a dead endpoint fails fast. */
  tuning?: ClientTuning;
  now?: () => Date;
}

export const PREFLIGHT_TUNING: ClientTuning = { maxAttempts: 2, connectionTimeoutMs: 3_000, requestTimeoutMs: 8_000 };
/** The whole test gives up after this long (throttling waits included). */
const PREFLIGHT_DEADLINE_MS = 25_000;

/** A thing name no one uses: GetThingShadow on it answers ResourceNotFound when reading is allowed. */
export const PROBE_THING = 'fleetline-preflight-probe';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

function networkCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { code?: unknown; name?: unknown };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return 'TimeoutError';
  return null;
}

const KEY_FAILURES: Record<string, { kind: AuthFailureKind; message: string }> = {
  UnrecognizedClientException: { kind: 'invalid_key', message: 'AWS does not recognise this access key id. Check that it was copied completely and that the key is active.' },
  InvalidClientTokenId: { kind: 'invalid_key', message: 'AWS does not recognise this access key id. Check that it was copied completely and that the key is active.' },
  InvalidAccessKeyId: { kind: 'invalid_key', message: 'AWS does not recognise this access key id. Check that it was copied completely and that the key is active.' },
  InvalidSignatureException: { kind: 'invalid_secret', message: 'The secret access key does not match this access key id. Paste the secret again.' },
  SignatureDoesNotMatch: { kind: 'invalid_secret', message: 'The secret access key does not match this access key id. Paste the secret again.' },
  IncompleteSignatureException: { kind: 'invalid_secret', message: 'AWS could not verify the request signature. Paste the secret access key again.' },
  ExpiredTokenException: { kind: 'expired', message: 'These credentials have expired. Create a new access key, or connect with an IAM role.' },
  ExpiredToken: { kind: 'expired', message: 'These credentials have expired. Create a new access key, or connect with an IAM role.' },
  MissingAuthenticationTokenException: { kind: 'invalid_key', message: 'AWS did not accept the request’s credentials. Check the access key id and the region.' },
};

type AuthFailure = NonNullable<PreflightReport['authFailure']>;

function unreachable(code: string, target: PreflightTarget): AuthFailure {
  const where = target.customEndpoint ?? `AWS in ${target.region}`;
  return { kind: 'unreachable', error: code, message: `Could not reach ${where} (${code}). Check the region and, if you set one, the custom endpoint.` };
}

// A refused endpoint says nothing else: not whether it answered, timed out or spoke TLS.
const REFUSED_ENDPOINT: AuthFailure = { kind: 'unreachable', error: 'OutboundAddressError', message: new OutboundAddressError().message };

/** An authentication failure of the given key, or null when the error is about something else. */
function keyFailure(error: unknown, target: PreflightTarget): AuthFailure | null {
  if (isOutboundAddressError(error)) return REFUSED_ENDPOINT;
  const code = networkCode(error);
  if (code) return unreachable(code, target);
  const { name } = describeAwsError(error);
  const known = KEY_FAILURES[name];
  return known ? { ...known, error: name } : null;
}

function assumeRoleFailure(error: unknown, target: PreflightTarget & { auth: { type: 'assume_role' } }): AuthFailure {
  const code = networkCode(error);
  if (code) return unreachable(code, target);
  const { name, message } = describeAwsError(error);
  if (KEY_FAILURES[name]) {
    return { kind: 'other', error: name, message: 'STS refused Fleetline’s own AWS identity, so no role can be assumed. This is a platform configuration problem: contact your Fleetline operator.' };
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return {
      kind: 'assume_role',
      error: name,
      message: `Fleetline could not assume ${target.auth.roleArn}. Check that the role exists, that its trust policy allows Fleetline’s AWS account, and that it requires exactly the External ID ${target.auth.externalId} shown in step 1.`,
    };
  }
  return { kind: 'assume_role', error: name, message: `Fleetline could not assume ${target.auth.roleArn}: ${safeAwsMessage(message) ?? name}` };
}

/**
 * AWS's own message, made safe to store and show: signature errors can echo the canonical request
 * (which may carry a session token), so they are dropped; key ids are shortened.
 */
export function safeAwsMessage(message: string): string | undefined {
  if (/canonical|string-to-sign|security-token/i.test(message)) return undefined;
  return message.replace(/\b(AKIA|ASIA)[A-Z0-9]{12}([A-Z0-9]{4})\b/g, '$1…$2').slice(0, 300) || undefined;
}

function failedCheck(id: CapabilityId, error: unknown): CheckResult {
  const code = networkCode(error);
  if (code) return { id, status: 'failed', error: code, message: 'The endpoint could not be reached.' };
  const { name, message } = describeAwsError(error);
  return { id, status: 'failed', error: name.slice(0, 100), message: safeAwsMessage(message) };
}

/** Runs one probe; a refusal or any other error is a ✗ line, never a thrown error. */
async function probe<T>(id: CapabilityId, call: () => Promise<T>, onOk?: (out: T) => Partial<CheckResult> | void): Promise<CheckResult> {
  try {
    const out = await call();
    return { id, status: 'ok', ...(onOk?.(out) ?? {}) };
  } catch (error) {
    return failedCheck(id, error);
  }
}

function quoteIdentifier(name: string): string {
  // Names are validated (A-Z a-z 0-9 _ . -) before they get here; doubling quotes is a second line of defence.
  return `"${name.replaceAll('"', '""')}"`;
}

/** The cheapest query the Timestream SQL subset answers: a count over the last minute. */
export function timestreamProbeQuery(database: string, table: string): string {
  return `SELECT count(*) AS points FROM ${quoteIdentifier(database)}.${quoteIdentifier(table)} WHERE time > ago(1m)`;
}

/**
 * True when the role can be assumed WITHOUT the External ID: its trust policy lacks the condition
 * and any holder of Fleetline's account could reach it (the confused deputy).
 */
async function assumableWithoutExternalId(target: PreflightTarget & { auth: { type: 'assume_role' } }, platform: PlatformIdentity, tuning: ClientTuning): Promise<boolean> {
  const sts = platformStsClient(target.region, platform, tuning);
  try {
    await sts.send(new AssumeRoleCommand({ RoleArn: target.auth.roleArn, RoleSessionName: `fleetline-check-${target.integrationId.slice(0, 8)}`, DurationSeconds: 900 }));
    return true;
  } catch {
    return false;
  } finally {
    sts.destroy();
  }
}

function report(partial: Omit<PreflightReport, 'canSave'>): PreflightReport {
  const required = CHECKS.filter((c) => c.required).map((c) => c.id);
  const canSave = partial.authenticated && required.every((id) => partial.checks.find((c) => c.id === id)?.status === 'ok');
  return { ...partial, canSave };
}

export async function runPreflight(target: PreflightTarget, options: PreflightOptions): Promise<PreflightReport> {
  const tuning = options.tuning ?? PREFLIGHT_TUNING;
  const testedAt = (options.now?.() ?? new Date()).toISOString();
  const stop = (authFailure: AuthFailure): PreflightReport =>
    report({ authenticated: false, authFailure, endpoint: null, syncMode: null, indexing: null, checks: [], testedAt });
  if (target.customEndpoint && !isCustomEndpointAllowed(target.customEndpoint, outboundPolicyFromEnv())) return stop(REFUSED_ENDPOINT);

  let credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  if (target.auth.type === 'assume_role') {
    const roleTarget = target as PreflightTarget & { auth: { type: 'assume_role' } };
    const provider = assumeRoleProvider(
      { region: target.region, roleArn: target.auth.roleArn, externalId: target.auth.externalId, customEndpoint: target.customEndpoint, integrationId: target.integrationId },
      options.platform,
      tuning,
    );
    try {
      await provider();
    } catch (error) {
      return stop(assumeRoleFailure(error, roleTarget));
    }
    if (await assumableWithoutExternalId(roleTarget, options.platform, tuning)) {
      return stop({
        kind: 'trust_policy',
        error: 'ExternalIdNotRequired',
        message: `${target.auth.roleArn} can be assumed without the External ID. Add the sts:ExternalId condition from step 1 to its trust policy, so no one else can make Fleetline use this role.`,
      });
    }
    credentials = provider;
  } else {
    // A copy: the SDK tags credential objects it is given (e.g. `$source`), and callers encrypt theirs later.
    const { accessKeyId, secretAccessKey } = target.auth.credentials;
    credentials = { accessKeyId, secretAccessKey };
  }

  // The runtime's governor retries (transient failures as often as the tuning's attempts allow), within a deadline.
  const connection = { integrationId: target.integrationId, region: target.region, customEndpoint: target.customEndpoint };
  const governed: OpenOptions = {
    tuning: { connectionTimeoutMs: tuning.connectionTimeoutMs, requestTimeoutMs: tuning.requestTimeoutMs },
    retry: { maxTransientAttempts: tuning.maxAttempts ?? PREFLIGHT_TUNING.maxAttempts!, baseDelayMs: 100, maxDelayMs: 1_000 },
    deadlineMs: PREFLIGHT_DEADLINE_MS,
  };
  const discovery = openDraftClients({ ...connection, iotDataEndpoint: null }, credentials, governed);
  let endpointCheck: CheckResult;
  let endpoint: string | null = null;
  try {
    const out = await discovery.clients.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
    endpoint = out.endpointAddress ?? null;
    if (endpoint && !isIotDataEndpoint(endpoint, target.region)) {
      // Never stored; a custom endpoint replaces the data endpoint anyway, so only its absence fails.
      endpoint = null;
      endpointCheck = target.customEndpoint
        ? { id: 'endpoint', status: 'ok' }
        : { id: 'endpoint', status: 'failed', error: REFUSED_ENDPOINT.error, message: REFUSED_ENDPOINT.message };
    } else {
      endpointCheck = { id: 'endpoint', status: 'ok', ...(endpoint ? { detail: endpoint } : {}) };
    }
  } catch (error) {
    const failure = keyFailure(error, target);
    if (failure) return stop(failure);
    endpointCheck = failedCheck('endpoint', error);
  } finally {
    discovery.close();
  }

  const aws = openDraftClients({ ...connection, iotDataEndpoint: endpoint }, credentials, governed);
  const clients = aws.clients;
  try {
    const [registry, indexing, jobsRead, timestreamQuery, liveData] = await Promise.all([
      registryAndShadow(clients.iot, (thingName) => clients.iotData.send(new GetThingShadowCommand({ thingName }))),
      fleetIndexing(clients.iot),
      probe('jobsRead', () => clients.iot.send(new ListJobsCommand({ maxResults: 1 }))),
      target.timestreamDatabase && target.timestreamTable
        ? probe('timestreamQuery', () => clients.timestream.send(new QueryCommand({ QueryString: timestreamProbeQuery(target.timestreamDatabase!, target.timestreamTable!), MaxRows: 1 })))
        : Promise.resolve<CheckResult>({ id: 'timestreamQuery', status: 'skipped', detail: 'No Timestream database and table configured.' }),
      // Read-only stand-in for the rule permissions (creating a rule would change the account).
      probe('liveData', () => clients.iot.send(new ListTopicRulesCommand({ maxResults: 1 }))),
    ]);
    const byId = new Map<CapabilityId, CheckResult>(
      [endpointCheck, ...registry, ...indexing.checks, jobsRead, timestreamQuery, liveData].map((c) => [c.id, c]),
    );
    const checks = CHECKS.map((def) => byId.get(def.id) ?? { id: def.id, status: 'not_tested' as const, detail: 'Not called by the test: it would change your account.' });
    return report({ authenticated: true, authFailure: null, endpoint, syncMode: indexing.syncMode, indexing: indexing.modes, checks, testedAt });
  } finally {
    aws.close();
  }
}

async function registryAndShadow(iot: IoTClient, getShadow: (thingName: string) => Promise<unknown>): Promise<CheckResult[]> {
  let thingName: string | undefined;
  const registry = await probe('registryRead', () => iot.send(new ListThingsCommand({ maxResults: 1 })), (out) => {
    thingName = out.things?.[0]?.thingName;
    return { detail: thingName ? undefined : 'The registry is empty.' };
  });
  let shadow: CheckResult;
  try {
    await getShadow(thingName ?? PROBE_THING);
    shadow = { id: 'shadowRead', status: 'ok' };
  } catch (error) {
    // Reading is allowed; the thing just has no classic shadow.
    shadow = describeAwsError(error).name === 'ResourceNotFoundException' ? { id: 'shadowRead', status: 'ok' } : failedCheck('shadowRead', error);
  }
  return [registry, shadow];
}

async function fleetIndexing(iot: IoTClient): Promise<{ checks: CheckResult[]; syncMode: SyncMode; modes: PreflightReport['indexing'] }> {
  let modes: PreflightReport['indexing'] = null;
  const config = await probe('fleetIndexing', () => iot.send(new GetIndexingConfigurationCommand({})), (out) => {
    const c = out.thingIndexingConfiguration;
    modes = { thingIndexingMode: c?.thingIndexingMode ?? 'OFF', thingConnectivityIndexingMode: c?.thingConnectivityIndexingMode ?? 'OFF' };
    return { detail: `Thing indexing ${modes.thingIndexingMode}, connectivity indexing ${modes.thingConnectivityIndexingMode}.` };
  });
  const current = modes as PreflightReport['indexing'];
  const indexed = current?.thingIndexingMode === 'REGISTRY_AND_SHADOW' && current.thingConnectivityIndexingMode === 'STATUS';
  if (!indexed) {
    const detail = config.status === 'ok' ? 'Not needed: shadow and connectivity indexing are not both on.' : 'Skipped: the indexing configuration could not be read.';
    return { checks: [config, { id: 'fleetSearch', status: 'skipped', detail }], syncMode: 'registry', modes: current };
  }
  const search = await probe('fleetSearch', () => iot.send(new SearchIndexCommand({ queryString: `thingName:${PROBE_THING}`, maxResults: 1 })));
  return { checks: [config, search], syncMode: search.status === 'ok' ? 'fleet_index' : 'registry', modes: current };
}
