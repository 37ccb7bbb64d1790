import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_TIMESTREAM_DATABASE,
  DEFAULT_TIMESTREAM_TABLE,
  DEMO_CREDENTIALS,
  DEMO_REGION,
  DEMO_ROLE_ARN,
  LIMITED_CREDENTIALS,
  SECOND_CREDENTIALS,
} from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import type { PreflightReport } from './capabilities';
import { newExternalId } from './draft';
import { runPreflight, type PreflightAuth } from './preflight';

/** The preflight against the real AWS wire protocols of the fleet simulator (started here, on a free port). */
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({ things: 25 });
});

afterAll(async () => {
  await sim?.close();
});

// Fleetline's own identity; its STS calls go to the simulator as the platform endpoint.
const platform = () => ({ credentials: DEMO_CREDENTIALS, stsEndpoint: sim.url });

function preflight(auth: PreflightAuth, timestream = true) {
  return runPreflight(
    {
      integrationId: '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60',
      region: DEMO_REGION,
      customEndpoint: sim.url,
      timestreamDatabase: timestream ? DEFAULT_TIMESTREAM_DATABASE : null,
      timestreamTable: timestream ? DEFAULT_TIMESTREAM_TABLE : null,
      auth,
    },
    { platform: platform() },
  );
}

const failed = (r: PreflightReport) => r.checks.filter((c) => c.status === 'failed').map((c) => `${c.id}:${c.error}`);

describe('preflight against the simulator', () => {
  it('passes everything with the full-access demo key and picks the fleet-index mode', async () => {
    const report = await preflight({ type: 'access_keys', credentials: DEMO_CREDENTIALS });
    expect(report).toMatchObject({ authenticated: true, canSave: true, syncMode: 'fleet_index' });
    expect(report.endpoint).toMatch(/^[a-z0-9]+-ats\.iot\.us-east-1\.amazonaws\.com$/);
    expect(failed(report)).toEqual([]);
    expect(report.checks.filter((c) => c.status === 'ok').map((c) => c.id)).toEqual([
      'endpoint', 'registryRead', 'shadowRead', 'fleetIndexing', 'fleetSearch', 'jobsRead', 'timestreamQuery', 'liveData',
    ]);
  });

  it('shows exactly the Timestream and IoT rules ✗ for the key without them, and allows saving', async () => {
    const report = await preflight({ type: 'access_keys', credentials: LIMITED_CREDENTIALS });
    expect(failed(report)).toEqual(['timestreamQuery:AccessDeniedException', 'liveData:AccessDeniedException']);
    expect(report.canSave).toBe(true);
  });

  it('uses the registry mode for the account whose indexing is off', async () => {
    const report = await preflight({ type: 'access_keys', credentials: SECOND_CREDENTIALS }, false);
    expect(report).toMatchObject({ canSave: true, syncMode: 'registry', indexing: { thingIndexingMode: 'OFF' } });
    expect(report.checks.find((c) => c.id === 'fleetSearch')!.status).toBe('skipped');
  });

  it('stops on a wrong secret with InvalidSignatureException and a clear message', async () => {
    const report = await preflight({ type: 'access_keys', credentials: { ...LIMITED_CREDENTIALS, secretAccessKey: `${LIMITED_CREDENTIALS.secretAccessKey.slice(0, 39)}X` } });
    expect(report).toMatchObject({ authenticated: false, canSave: false, checks: [], authFailure: { kind: 'invalid_secret', error: 'InvalidSignatureException' } });
  });

  it('stops on an unknown key with UnrecognizedClientException', async () => {
    const report = await preflight({ type: 'access_keys', credentials: { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: DEMO_CREDENTIALS.secretAccessKey } });
    expect(report.authFailure).toMatchObject({ kind: 'invalid_key', error: 'UnrecognizedClientException' });
  });

  it('refuses the role with a wrong External ID, then passes once the role requires ours', async () => {
    const externalId = newExternalId();
    const wrong = await preflight({ type: 'assume_role', roleArn: DEMO_ROLE_ARN, externalId });
    expect(wrong.authFailure).toMatchObject({ kind: 'assume_role', error: 'AccessDenied' });
    expect(wrong.authFailure!.message).toContain(externalId);

    sim.control.putRole({ roleArn: DEMO_ROLE_ARN, externalId, actions: ['iot:*', 'timestream:Select', 'timestream:DescribeEndpoints'], maxSessionDurationSeconds: 3600 });
    const right = await preflight({ type: 'assume_role', roleArn: DEMO_ROLE_ARN, externalId });
    expect(right).toMatchObject({ authenticated: true, canSave: true, syncMode: 'fleet_index' });
    expect(failed(right)).toEqual([]);
  });

  it('refuses a role that can be assumed without any External ID', async () => {
    sim.control.putRole({ roleArn: DEMO_ROLE_ARN, actions: ['iot:*'], maxSessionDurationSeconds: 3600 });
    const report = await preflight({ type: 'assume_role', roleArn: DEMO_ROLE_ARN, externalId: newExternalId() });
    expect(report.authFailure).toMatchObject({ kind: 'trust_policy', error: 'ExternalIdNotRequired' });
  });

  it('says when the endpoint is not there', async () => {
    const report = await runPreflight(
      { integrationId: '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60', region: DEMO_REGION, customEndpoint: 'http://127.0.0.1:9', timestreamDatabase: null, timestreamTable: null, auth: { type: 'access_keys', credentials: DEMO_CREDENTIALS } },
      { platform: platform() },
    );
    expect(report.authFailure).toMatchObject({ kind: 'unreachable', error: 'ECONNREFUSED' });
  });
});

describe('preflight through the outbound-address guard', () => {
  afterEach(() => vi.unstubAllEnvs());
  const REFUSED = { kind: 'unreachable', error: 'OutboundAddressError', message: 'This endpoint is not allowed.' };
  const target = (customEndpoint: string, auth: PreflightAuth) =>
    ({ integrationId: '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60', region: DEMO_REGION, customEndpoint, timestreamDatabase: null, timestreamTable: null, auth });

  it('refuses a name that resolves to loopback when loopback is not allowed, saying only that', async () => {
    vi.stubEnv('FLEETLINE_OUTBOUND_ALLOW_LOOPBACK', 'false');
    const before = sim.control.getCounters().calls;
    const endpoint = sim.url.replace('127.0.0.1', 'localhost');
    const report = await runPreflight(target(endpoint, { type: 'access_keys', credentials: DEMO_CREDENTIALS }), { platform: platform() });
    expect(report).toMatchObject({ authenticated: false, canSave: false, checks: [], endpoint: null });
    expect(report.authFailure).toEqual(REFUSED);
    expect(JSON.stringify(report)).not.toContain('localhost');
    expect(sim.control.getCounters().calls).toEqual(before);
  });

  it('refuses a dead loopback port with the same message as a live one (nothing to learn about the target)', async () => {
    vi.stubEnv('FLEETLINE_OUTBOUND_ALLOW_LOOPBACK', 'false');
    const live = await runPreflight(target(sim.url.replace('127.0.0.1', 'localhost'), { type: 'access_keys', credentials: DEMO_CREDENTIALS }), { platform: platform() });
    const dead = await runPreflight(target('http://localhost:9', { type: 'access_keys', credentials: DEMO_CREDENTIALS }), { platform: platform() });
    expect(live.authFailure).toEqual(REFUSED);
    expect(dead.authFailure).toEqual(REFUSED);
  });

  it('assumes the role at the platform STS even when the custom endpoint is refused', async () => {
    vi.stubEnv('FLEETLINE_OUTBOUND_ALLOW_LOOPBACK', 'false');
    const externalId = newExternalId();
    sim.control.putRole({ roleArn: DEMO_ROLE_ARN, externalId, actions: ['iot:*'], maxSessionDurationSeconds: 3600 });
    // STS is the platform's (loopback here, trusted config); the tenant's endpoint is refused.
    const report = await runPreflight(target('http://localhost:9', { type: 'assume_role', roleArn: DEMO_ROLE_ARN, externalId }), { platform: platform() });
    expect(report.authFailure).toEqual(REFUSED);
  });
});
