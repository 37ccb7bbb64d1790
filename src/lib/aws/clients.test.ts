import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyEntry, encryptCredentials, parseKeyring } from '../vault';
import { assumeRoleProvider, describeAwsError, integrationCredentials } from './clients';

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
