import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutboundAddressError } from '../net/outbound-guard';
import { generateKeyEntry, encryptCredentials, parseKeyring } from '../vault';
import { assumeRoleProvider, createAwsClients, describeAwsError, integrationCredentials, platformIdentityFromEnv } from './clients';
import { isIotDataEndpoint } from './data-endpoint';

const sts = mockClient(STSClient);
afterEach(() => sts.reset());

const role = {
  region: 'us-east-1',
  roleArn: 'arn:aws:iam::111122223333:role/FleetlineAccess',
  externalId: 'fl-ext-123',
  customEndpoint: null,
  integrationId: '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60',
};

describe('assumeRoleProvider', () => {
  it('assumes the role with the External ID and caches until close to expiry', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAEXAMPLE000000001', SecretAccessKey: 's'.repeat(40), SessionToken: 'tok', Expiration: new Date(Date.now() + 3600_000) },
    });
    const provider = assumeRoleProvider(role, {});
    const first = await provider();
    const second = await provider();
    expect(first).toEqual(second);
    expect(first.accessKeyId).toBe('ASIAEXAMPLE000000001');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toMatchObject({ RoleArn: role.roleArn, ExternalId: 'fl-ext-123' });
  });

  it('assumes again when the cached credentials are about to expire', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAEXAMPLE000000002', SecretAccessKey: 's'.repeat(40), SessionToken: 'tok', Expiration: new Date(Date.now() + 60_000) },
    });
    const provider = assumeRoleProvider(role, {});
    await provider();
    await provider();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('surfaces a refused AssumeRole (e.g. a wrong External ID)', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }));
    await expect(assumeRoleProvider(role, {})()).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('the STS call signed with Fleetline’s identity', () => {
  const temporary = { AccessKeyId: 'ASIAEXAMPLE000000003', SecretAccessKey: 's'.repeat(40), SessionToken: 'tok', Expiration: new Date(Date.now() + 3600_000) };

  async function endpointOfCall(): Promise<string> {
    const client = sts.send.getCall(0).thisValue as STSClient;
    const endpoint = await client.config.endpoint!();
    return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}`;
  }

  it('goes to the platform’s STS endpoint, never to the integration’s custom endpoint', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: temporary });
    await assumeRoleProvider({ ...role, customEndpoint: 'https://attacker.example.com' }, { stsEndpoint: 'http://127.0.0.1:4566' })();
    expect(await endpointOfCall()).toBe('http://127.0.0.1:4566');
  });

  it('goes to AWS’s regional STS when the platform sets none', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: temporary });
    await assumeRoleProvider({ ...role, region: 'eu-west-1', customEndpoint: 'https://attacker.example.com' }, {})();
    // No endpoint override: the SDK's own rules pick sts.eu-west-1.amazonaws.com.
    const client = sts.send.getCall(0).thisValue as STSClient;
    expect(client.config.endpoint).toBeUndefined();
    expect(await client.config.region()).toBe('eu-west-1');
  });

  it('reads the platform STS endpoint from FLEETLINE_AWS_STS_ENDPOINT', () => {
    expect(platformIdentityFromEnv({ NODE_ENV: 'test', FLEETLINE_AWS_STS_ENDPOINT: 'http://127.0.0.1:4566' })).toEqual({ stsEndpoint: 'http://127.0.0.1:4566' });
  });
});

describe('isIotDataEndpoint', () => {
  it.each([
    ['a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com', 'us-east-1', true],
    ['a1b2c3d4e5f6g7-ats.iot.us-gov-west-1.amazonaws.com', 'us-gov-west-1', true],
    ['a1b2c3d4e5f6g7-ats.iot.cn-north-1.amazonaws.com.cn', 'cn-north-1', true],
    ['a1b2c3d4e5f6g7-ats.iot.cn-north-1.amazonaws.com', 'cn-north-1', false],
    ['a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com.cn', 'us-east-1', false],
    ['a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com', 'us-east-1', false],
    ['a1b2c3d4e5f6g7.iot.us-east-1.amazonaws.com', 'us-east-1', false],
    ['a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com.evil.test', 'us-east-1', false],
    ['evil.test/a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com', 'us-east-1', false],
    ['a1b2-ats.iot.us-east-1.amazonaws.com:8443', 'us-east-1', false],
    ['169.254.169.254', 'us-east-1', false],
    ['localhost', 'us-east-1', false],
  ])('%s in %s → %s', (address, region, expected) => {
    expect(isIotDataEndpoint(address, region)).toBe(expected);
  });
});

describe('createAwsClients', () => {
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  afterEach(() => vi.unstubAllEnvs());

  it('refuses a stored data endpoint that is not AWS IoT’s for the region', () => {
    expect(() => createAwsClients({ region: 'us-east-1', customEndpoint: null, iotDataEndpoint: '127.0.0.1:4566' }, credentials)).toThrow(OutboundAddressError);
    expect(() => createAwsClients({ region: 'us-east-1', customEndpoint: null, iotDataEndpoint: 'abc-ats.iot.eu-west-1.amazonaws.com' }, credentials)).toThrow(OutboundAddressError);
    createAwsClients({ region: 'us-east-1', customEndpoint: null, iotDataEndpoint: 'abc-ats.iot.us-east-1.amazonaws.com' }, credentials).destroy();
  });

  it('refuses a custom endpoint that is not allow-listed in production', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const conn = { region: 'us-east-1', customEndpoint: 'https://vpce-1.iot.us-east-1.vpce.amazonaws.com', iotDataEndpoint: null };
    expect(() => createAwsClients(conn, credentials)).toThrow('This endpoint is not allowed.');
    vi.stubEnv('FLEETLINE_CUSTOM_ENDPOINT_HOSTS', '.vpce.amazonaws.com');
    createAwsClients(conn, credentials).destroy();
  });

  it('gives every client the guarded request handler', async () => {
    const clients = createAwsClients({ region: 'us-east-1', customEndpoint: null, iotDataEndpoint: null }, credentials);
    for (const client of [clients.iot, clients.iotData, clients.timestream]) {
      const handler = client.config.requestHandler as { httpHandlerConfigs(): unknown; handle: unknown };
      await (handler as unknown as { configProvider: Promise<{ httpsAgent: unknown }> }).configProvider.then((c) =>
        expect(c.httpsAgent?.constructor.name).toBe('GuardedHttpsAgent'),
      );
    }
    clients.destroy();
  });
});

describe('integrationCredentials', () => {
  it('decrypts the vault token of an access-key integration', () => {
    const keyring = parseKeyring(generateKeyEntry('t1'));
    const orgId = '0b7c1f7e-1111-4a4a-8a8a-000000000001';
    const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
    const token = encryptCredentials(keyring, { orgId, integrationId: role.integrationId }, creds);
    const result = integrationCredentials(
      { orgId, integrationId: role.integrationId, region: 'us-east-1', authType: 'access_keys', credentials: token, roleArn: null, externalId: null, customEndpoint: null, iotDataEndpoint: null },
      keyring,
      {},
    );
    expect(result).toEqual(creds);
  });
});

describe('describeAwsError', () => {
  it('keeps the name, message and status', () => {
    const error = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    expect(describeAwsError(error)).toEqual({ name: 'ThrottlingException', message: 'Rate exceeded', status: 429 });
  });
});
