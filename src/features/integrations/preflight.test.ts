import {
  DescribeEndpointCommand,
  GetIndexingConfigurationCommand,
  IoTClient,
  ListJobsCommand,
  ListTopicRulesCommand,
  ListThingsCommand,
  SearchIndexCommand,
} from '@aws-sdk/client-iot';
import { GetThingShadowCommand, IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { QueryCommand, TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutboundAddressError } from '@/lib/net/outbound-guard';
import { parseQuery } from '../../../scripts/sim/timestream-sql';
import { callFor } from './aws-calls';
import type { PreflightReport } from './capabilities';
import { PROBE_THING, runPreflight, safeAwsMessage, timestreamProbeQuery, type PreflightTarget } from './preflight';

const iot = mockClient(IoTClient);
const data = mockClient(IoTDataPlaneClient);
const timestream = mockClient(TimestreamQueryClient);
const sts = mockClient(STSClient);
const mocks = [iot, data, timestream, sts];

function awsError(name: string, status = 403, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} from the mock`), { name, $fault: 'client', $metadata: { httpStatusCode: status }, ...extra });
}

const keys: PreflightTarget = {
  integrationId: '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60',
  region: 'eu-west-1',
  customEndpoint: null,
  timestreamDatabase: 'fleet',
  timestreamTable: 'telemetry',
  auth: { type: 'access_keys', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } },
};
const role: PreflightTarget = { ...keys, auth: { type: 'assume_role', roleArn: 'arn:aws:iam::123456789012:role/FleetlineAccess', externalId: 'fl-abcdefghijklmnopqrstuvwx' } };
const options = { platform: {}, now: () => new Date('2026-11-22T12:00:00Z') };

function allowEverything() {
  iot.on(DescribeEndpointCommand).resolves({ endpointAddress: 'abc123-ats.iot.eu-west-1.amazonaws.com' });
  iot.on(ListThingsCommand).resolves({ things: [{ thingName: 'sensor-000001' }] });
  iot.on(GetIndexingConfigurationCommand).resolves({
    thingIndexingConfiguration: { thingIndexingMode: 'REGISTRY_AND_SHADOW', thingConnectivityIndexingMode: 'STATUS' },
  });
  iot.on(SearchIndexCommand).resolves({ things: [] });
  iot.on(ListJobsCommand).resolves({ jobs: [] });
  iot.on(ListTopicRulesCommand).resolves({ rules: [] });
  data.on(GetThingShadowCommand).resolves({ payload: new TextEncoder().encode('{}') as never });
  timestream.on(QueryCommand).resolves({ Rows: [], ColumnInfo: [] });
}

const status = (report: PreflightReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.error ? `${c.status}:${c.error}` : c.status]));

/** Every command the preflight sent, by operation name. */
function sentOperations(): string[] {
  return mocks.flatMap((m) => m.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, '')));
}

beforeEach(() => mocks.forEach((m) => m.reset()));
afterEach(() => mocks.forEach((m) => m.reset()));

describe('a working connection', () => {
  it('passes every tested permission, picks the fleet-index sync mode and lists the untested writes', async () => {
    allowEverything();
    const report = await runPreflight(keys, options);
    expect(report).toMatchObject({ authenticated: true, authFailure: null, canSave: true, endpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com', syncMode: 'fleet_index', testedAt: '2026-11-22T12:00:00.000Z' });
    expect(status(report)).toEqual({
      endpoint: 'ok',
      registryRead: 'ok',
      shadowRead: 'ok',
      fleetIndexing: 'ok',
      fleetSearch: 'ok',
      jobsRead: 'ok',
      timestreamQuery: 'ok',
      liveData: 'ok',
      deviceWrite: 'not_tested',
      jobsWrite: 'not_tested',
    });
  });

  it('makes one cheap call per capability, all of them in the permission catalogue', async () => {
    allowEverything();
    await runPreflight(keys, options);
    expect(iot.commandCalls(DescribeEndpointCommand)[0]!.args[0].input).toEqual({ endpointType: 'iot:Data-ATS' });
    expect(iot.commandCalls(ListThingsCommand)[0]!.args[0].input).toEqual({ maxResults: 1 });
    expect(iot.commandCalls(ListJobsCommand)[0]!.args[0].input).toEqual({ maxResults: 1 });
    expect(iot.commandCalls(ListTopicRulesCommand)[0]!.args[0].input).toEqual({ maxResults: 1 });
    expect(data.commandCalls(GetThingShadowCommand)[0]!.args[0].input).toEqual({ thingName: 'sensor-000001' });
    expect(timestream.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ QueryString: timestreamProbeQuery('fleet', 'telemetry'), MaxRows: 1 });
    const sent = sentOperations();
    expect(sent).toHaveLength(8);
    expect(sent.filter((op) => !callFor(op))).toEqual([]);
    expect(sent.some((op) => ['UpdateThingShadow', 'UpdateThing', 'CreateJob', 'CancelJob', 'CreateTopicRule', 'CreateTopicRuleDestination'].includes(op))).toBe(false);
  });

  it('asks Timestream a query the simulator’s SQL subset accepts, with quoted identifiers', () => {
    const sql = timestreamProbeQuery('fleetline_demo', 'telemetry');
    expect(sql).toBe('SELECT count(*) AS points FROM "fleetline_demo"."telemetry" WHERE time > ago(1m)');
    expect(parseQuery(sql)).toMatchObject({ database: 'fleetline_demo', table: 'telemetry' });
  });
});

describe('missing permissions', () => {
  it('shows exactly one ✗ with the AWS error name when Timestream is refused, and still allows saving', async () => {
    allowEverything();
    timestream.on(QueryCommand).rejects(awsError('AccessDeniedException'));
    const report = await runPreflight(keys, options);
    expect(report.checks.filter((c) => c.status === 'failed')).toEqual([
      expect.objectContaining({ id: 'timestreamQuery', status: 'failed', error: 'AccessDeniedException' }),
    ]);
    expect(report.canSave).toBe(true);
  });

  it('counts ResourceNotFound on a shadow as "reading is allowed", and a refusal as ✗', async () => {
    allowEverything();
    data.on(GetThingShadowCommand).rejects(awsError('ResourceNotFoundException', 404));
    expect(status(await runPreflight(keys, options)).shadowRead).toBe('ok');
    data.on(GetThingShadowCommand).rejects(awsError('ForbiddenException'));
    expect(status(await runPreflight(keys, options)).shadowRead).toBe('failed:ForbiddenException');
  });

  it('probes a shadow of a name no one uses when the registry is empty', async () => {
    allowEverything();
    iot.on(ListThingsCommand).resolves({ things: [] });
    data.on(GetThingShadowCommand).rejects(awsError('ResourceNotFoundException', 404));
    const report = await runPreflight(keys, options);
    expect(data.commandCalls(GetThingShadowCommand)[0]!.args[0].input).toEqual({ thingName: PROBE_THING });
    expect(report.checks.find((c) => c.id === 'registryRead')).toMatchObject({ status: 'ok', detail: 'The registry is empty.' });
  });

  it('falls back to the registry sync mode when indexing is off, without calling SearchIndex', async () => {
    allowEverything();
    iot.on(GetIndexingConfigurationCommand).resolves({ thingIndexingConfiguration: { thingIndexingMode: 'REGISTRY', thingConnectivityIndexingMode: 'OFF' } });
    const report = await runPreflight(keys, options);
    expect(report.syncMode).toBe('registry');
    expect(report.indexing).toEqual({ thingIndexingMode: 'REGISTRY', thingConnectivityIndexingMode: 'OFF' });
    expect(status(report).fleetSearch).toBe('skipped');
    expect(iot.commandCalls(SearchIndexCommand)).toHaveLength(0);
  });

  it('falls back to the registry sync mode when SearchIndex is refused', async () => {
    allowEverything();
    iot.on(SearchIndexCommand).rejects(awsError('AccessDeniedException'));
    const report = await runPreflight(keys, options);
    expect(report.syncMode).toBe('registry');
    expect(status(report).fleetSearch).toBe('failed:AccessDeniedException');
    expect(report.canSave).toBe(true);
  });

  it('refuses saving when the registry cannot be read (required)', async () => {
    allowEverything();
    iot.on(ListThingsCommand).rejects(awsError('AccessDeniedException'));
    const report = await runPreflight(keys, options);
    expect(report.authenticated).toBe(true);
    expect(report.canSave).toBe(false);
  });

  it('goes on when DescribeEndpoint is refused: authenticated, endpoint ✗', async () => {
    allowEverything();
    iot.on(DescribeEndpointCommand).rejects(awsError('AccessDeniedException'));
    const report = await runPreflight(keys, options);
    expect(report).toMatchObject({ authenticated: true, endpoint: null, canSave: true });
    expect(status(report).endpoint).toBe('failed:AccessDeniedException');
  });

  it('skips Timestream when no table is configured', async () => {
    allowEverything();
    const report = await runPreflight({ ...keys, timestreamDatabase: null, timestreamTable: null }, options);
    expect(status(report).timestreamQuery).toBe('skipped');
    expect(timestream.commandCalls(QueryCommand)).toHaveLength(0);
  });
});

describe('authentication failures stop the preflight', () => {
  it.each([
    ['UnrecognizedClientException', 'invalid_key', /does not recognise this access key id/],
    ['InvalidSignatureException', 'invalid_secret', /secret access key does not match/],
    ['ExpiredTokenException', 'expired', /expired/],
  ])('%s → %s, with a human message and no further calls', async (name, kind, message) => {
    allowEverything();
    iot.on(DescribeEndpointCommand).rejects(awsError(name));
    const report = await runPreflight(keys, options);
    expect(report).toMatchObject({ authenticated: false, canSave: false, checks: [], authFailure: { kind, error: name } });
    expect(report.authFailure!.message).toMatch(message);
    expect(sentOperations()).toEqual(['DescribeEndpoint']);
  });

  it('says when the endpoint cannot be reached', async () => {
    iot.on(DescribeEndpointCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    const report = await runPreflight({ ...keys, customEndpoint: 'https://vpce.example.com:1' }, options);
    expect(report.authFailure).toEqual({ kind: 'unreachable', error: 'ECONNREFUSED', message: expect.stringContaining('https://vpce.example.com:1') });
  });
});

describe('refused endpoints (outbound-address guard)', () => {
  const REFUSED = { kind: 'unreachable', error: 'OutboundAddressError', message: 'This endpoint is not allowed.' };
  afterEach(() => vi.unstubAllEnvs());

  it.each(['http://127.0.0.1:4566', 'http://[::1]:4566', 'http://[::ffff:127.0.0.1]:4566', 'http://2130706433:4566', 'http://169.254.169.254', 'https://10.0.0.1'])(
    'refuses %s before any AWS call, saying only that it is not allowed',
    async (customEndpoint) => {
      allowEverything();
      const report = await runPreflight({ ...role, customEndpoint }, options);
      expect(report).toMatchObject({ authenticated: false, canSave: false, checks: [], endpoint: null });
      expect(report.authFailure).toEqual(REFUSED);
      expect(sentOperations()).toEqual([]);
    },
  );

  it('refuses any custom endpoint in production unless its host is allow-listed', async () => {
    allowEverything();
    vi.stubEnv('NODE_ENV', 'production');
    expect((await runPreflight({ ...keys, customEndpoint: 'https://vpce-1.iot.eu-west-1.vpce.amazonaws.com' }, options)).authFailure).toEqual(REFUSED);
    vi.stubEnv('FLEETLINE_CUSTOM_ENDPOINT_HOSTS', '.vpce.amazonaws.com');
    expect((await runPreflight({ ...keys, customEndpoint: 'https://vpce-1.iot.eu-west-1.vpce.amazonaws.com' }, options)).canSave).toBe(true);
  });

  it('turns a connection the guard refused into the same message, nothing more', async () => {
    allowEverything();
    iot.on(DescribeEndpointCommand).rejects(new OutboundAddressError());
    const report = await runPreflight({ ...keys, customEndpoint: 'https://resolves-private.example.com' }, options);
    expect(report.authFailure).toEqual(REFUSED);
    expect(sentOperations()).toEqual(['DescribeEndpoint']);
  });

  it.each(['169.254.169.254', 'evil.example.com', 'abc123-ats.iot.us-east-1.amazonaws.com', 'abc123-ats.iot.eu-west-1.amazonaws.com.evil.test'])(
    'does not keep a data endpoint %s that is not AWS IoT’s for the region',
    async (endpointAddress) => {
      allowEverything();
      iot.on(DescribeEndpointCommand).resolves({ endpointAddress });
      const report = await runPreflight(keys, options);
      expect(report.endpoint).toBeNull();
      expect(report.checks.find((c) => c.id === 'endpoint')).toEqual({ id: 'endpoint', status: 'failed', error: 'OutboundAddressError', message: 'This endpoint is not allowed.' });
    },
  );
});

describe('the role path', () => {
  const temporary = { AccessKeyId: 'ASIAEXAMPLE000000001', SecretAccessKey: 's'.repeat(40), SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) };

  it('assumes the role with the External ID, checks the ID is required, then tests with the role', async () => {
    allowEverything();
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied'));
    sts.on(AssumeRoleCommand, { ExternalId: 'fl-abcdefghijklmnopqrstuvwx' }).resolves({ Credentials: temporary });
    const report = await runPreflight(role, options);
    expect(report.canSave).toBe(true);
    const calls = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      expect.objectContaining({ RoleArn: 'arn:aws:iam::123456789012:role/FleetlineAccess', ExternalId: 'fl-abcdefghijklmnopqrstuvwx' }),
      expect.not.objectContaining({ ExternalId: expect.anything() }),
    ]);
    expect(iot.commandCalls(ListThingsCommand)).toHaveLength(1);
  });

  it('stops with a clear message on a wrong External ID (STS AccessDenied), before any IoT call', async () => {
    allowEverything();
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied'));
    const report = await runPreflight(role, options);
    expect(report.authFailure).toMatchObject({ kind: 'assume_role', error: 'AccessDenied' });
    expect(report.authFailure!.message).toContain('fl-abcdefghijklmnopqrstuvwx');
    expect(iot.calls()).toHaveLength(0);
  });

  it('refuses a role whose trust policy does not require the External ID', async () => {
    allowEverything();
    sts.on(AssumeRoleCommand).resolves({ Credentials: temporary });
    const report = await runPreflight(role, options);
    expect(report).toMatchObject({ authenticated: false, canSave: false, authFailure: { kind: 'trust_policy', error: 'ExternalIdNotRequired' } });
    expect(iot.calls()).toHaveLength(0);
  });

  it('blames the platform, not the customer, when STS refuses Fleetline’s own identity', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('InvalidClientTokenId'));
    const report = await runPreflight(role, options);
    expect(report.authFailure).toMatchObject({ kind: 'other', error: 'InvalidClientTokenId' });
    expect(report.authFailure!.message).toMatch(/platform configuration/);
  });
});

describe('AWS messages shown to the user', () => {
  it('drop echoed canonical requests and shorten key ids', () => {
    expect(safeAwsMessage("The request signature we calculated does not match. The Canonical String for this request should have been 'GET\n/things\n…x-amz-security-token:FwoGZX…'")).toBeUndefined();
    expect(safeAwsMessage('User AKIAIOSFODNN7EXAMPLE is not authorized to perform: iot:ListJobs')).toBe('User AKIA…MPLE is not authorized to perform: iot:ListJobs');
    expect(safeAwsMessage('')).toBeUndefined();
  });
});
