import {
  DescribeThingCommand,
  GetIndexingConfigurationCommand,
  ListThingsCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-iot';
import { GetThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { QueryCommand } from '@aws-sdk/client-timestream-query';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ACCOUNT_ID,
  DEMO_CREDENTIALS,
  DEMO_EXTERNAL_ID,
  DEMO_ROLE_ARN,
  LIMITED_CREDENTIALS,
  SECOND_ACCOUNT_ID,
  SECOND_CREDENTIALS,
  SECOND_ROLE_ARN,
  SECOND_EXTERNAL_ID,
} from './config';
import type { RunningSimulator } from './server';
import { clients, failure, startTestSimulator } from './test-support';

const QUERY = `SELECT count(*) FROM "fleetline_demo"."telemetry" WHERE thing_name = 'sensor-000001' AND time > ago(1h)`;
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({ things: 20 });
});
afterAll(() => sim.close());

describe('demo credentials', () => {
  it('are well-formed AWS-style keys', () => {
    for (const c of [DEMO_CREDENTIALS, LIMITED_CREDENTIALS, SECOND_CREDENTIALS]) {
      expect(c.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
      expect(c.secretAccessKey).toHaveLength(40);
    }
  });

  it('identify their account and user through GetCallerIdentity', async () => {
    const me = await clients(sim).sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: DEMO_ACCOUNT_ID, Arn: `arn:aws:iam::${DEMO_ACCOUNT_ID}:user/fleetline-demo` });
  });
});

describe('SigV4 verification', () => {
  const unknownKey = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) };
  const wrongSecret = { ...DEMO_CREDENTIALS, secretAccessKey: 'y'.repeat(40) };

  it('answers an unknown access key with UnrecognizedClientException 403 (InvalidClientTokenId for STS)', async () => {
    const c = clients(sim, { credentials: unknownKey, maxAttempts: 1 });
    for (const call of [c.iot.send(new ListThingsCommand({})), c.data.send(new GetThingShadowCommand({ thingName: 'sensor-000001' })), c.timestream.send(new QueryCommand({ QueryString: QUERY }))]) {
      const err = await failure(call);
      expect(err.name).toBe('UnrecognizedClientException');
      expect(err.$metadata.httpStatusCode).toBe(403);
    }
    const sts = await failure(c.sts.send(new GetCallerIdentityCommand({})));
    expect(sts.name).toBe('InvalidClientTokenId');
    expect(sts.$metadata.httpStatusCode).toBe(403);
  });

  it('answers a wrong secret with InvalidSignatureException 403 (SignatureDoesNotMatch for STS)', async () => {
    const c = clients(sim, { credentials: wrongSecret, maxAttempts: 1 });
    for (const call of [c.iot.send(new ListThingsCommand({})), c.data.send(new GetThingShadowCommand({ thingName: 'sensor-000001' })), c.timestream.send(new QueryCommand({ QueryString: QUERY }))]) {
      const err = await failure(call);
      expect(err.name).toBe('InvalidSignatureException');
      expect(err.$metadata.httpStatusCode).toBe(403);
    }
    const sts = await failure(c.sts.send(new GetCallerIdentityCommand({})));
    expect(sts.name).toBe('SignatureDoesNotMatch');
    expect(sts.$metadata.httpStatusCode).toBe(403);
  });

  it('signs over the request: a request with a tampered path does not verify', async () => {
    const c = clients(sim, { maxAttempts: 1 });
    // Runs after signing, like a proxy rewriting the URL.
    const tamper: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
      const request = args.request as { path: string };
      request.path = request.path.replace('sensor-000001', 'sensor-000002');
      return next(args);
    };
    c.iot.middlewareStack.addRelativeTo(tamper, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' });
    const err = await failure(c.iot.send(new DescribeThingCommand({ thingName: 'sensor-000001' })));
    expect(err.name).toBe('InvalidSignatureException');
  });
});

describe('action restrictions', () => {
  it('lets the no-Timestream key use IoT but not Timestream', async () => {
    const c = clients(sim, { credentials: LIMITED_CREDENTIALS, maxAttempts: 1 });
    expect((await c.iot.send(new ListThingsCommand({ maxResults: 1 }))).things).toHaveLength(1);
    expect((await c.data.send(new GetThingShadowCommand({ thingName: 'sensor-000001' }))).payload).toBeDefined();
    const err = await failure(c.timestream.send(new QueryCommand({ QueryString: QUERY })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toContain('timestream:Select');
  });

  it('answers actions outside a key’s list with the access-denied error of each service', async () => {
    const restricted = { accessKeyId: 'AKIAFLEETLINELIST001', secretAccessKey: 'r'.repeat(40) };
    sim.control.putKey({ ...restricted, accountId: DEMO_ACCOUNT_ID, userName: 'lister', actions: ['iot:List*', 'sts:AssumeRole'] });
    const c = clients(sim, { credentials: restricted, maxAttempts: 1 });
    await c.iot.send(new ListThingsCommand({ maxResults: 1 }));
    const iotErr = await failure(c.iot.send(new DescribeThingCommand({ thingName: 'sensor-000001' })));
    expect(iotErr.name).toBe('AccessDeniedException');
    expect(iotErr.$metadata.httpStatusCode).toBe(403);
    expect(iotErr.message).toContain('iot:DescribeThing');
    const dataErr = await failure(c.data.send(new GetThingShadowCommand({ thingName: 'sensor-000001' })));
    expect(dataErr.name).toBe('ForbiddenException');
    expect(dataErr.$metadata.httpStatusCode).toBe(403);
    const stsErr = await failure(c.sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/Nope', RoleSessionName: 'x1' })));
    expect(stsErr.name).toBe('AccessDenied');
  });

  it('keeps accounts apart: each key sees its own account', async () => {
    const second = clients(sim, { credentials: SECOND_CREDENTIALS });
    const me = await second.sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(SECOND_ACCOUNT_ID);
    const [t] = (await second.iot.send(new ListThingsCommand({ maxResults: 1 }))).things ?? [];
    expect(t?.thingArn).toBe(`arn:aws:iot:us-east-1:${SECOND_ACCOUNT_ID}:thing/sensor-000001`);
    const cfg = await second.iot.send(new GetIndexingConfigurationCommand({}));
    expect(cfg.thingIndexingConfiguration?.thingIndexingMode).toBe('OFF');
  });
});

describe('STS AssumeRole', () => {
  it('returns temporary credentials that work for follow-up calls in the role’s account', async () => {
    const { sts } = clients(sim);
    const res = await sts.send(new AssumeRoleCommand({ RoleArn: DEMO_ROLE_ARN, RoleSessionName: 'fleetline-sync', ExternalId: DEMO_EXTERNAL_ID }));
    const creds = res.Credentials!;
    expect(creds.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(creds.SecretAccessKey).toHaveLength(40);
    expect(creds.SessionToken!.length).toBeGreaterThan(100);
    expect(creds.Expiration!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(res.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${DEMO_ACCOUNT_ID}:assumed-role/FleetlineAccess/fleetline-sync`);

    const temporary = clients(sim, {
      credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! },
    });
    expect((await temporary.iot.send(new ListThingsCommand({ maxResults: 2 }))).things).toHaveLength(2);
    expect((await temporary.timestream.send(new QueryCommand({ QueryString: QUERY }))).Rows).toHaveLength(1);
    const me = await temporary.sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(res.AssumedRoleUser?.Arn);

    const tampered = clients(sim, {
      credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: 'forged' },
      maxAttempts: 1,
    });
    const err = await failure(tampered.iot.send(new ListThingsCommand({})));
    expect(err.name).toBe('UnrecognizedClientException');
  });

  it('allows cross-account roles: the demo key assumes a role in the second account', async () => {
    const res = await clients(sim).sts.send(
      new AssumeRoleCommand({ RoleArn: SECOND_ROLE_ARN, RoleSessionName: 'tenant-2', ExternalId: SECOND_EXTERNAL_ID }),
    );
    const c = clients(sim, {
      credentials: {
        accessKeyId: res.Credentials!.AccessKeyId!,
        secretAccessKey: res.Credentials!.SecretAccessKey!,
        sessionToken: res.Credentials!.SessionToken!,
      },
    });
    const [t] = (await c.iot.send(new ListThingsCommand({ maxResults: 1 }))).things ?? [];
    expect(t?.thingArn).toContain(`:${SECOND_ACCOUNT_ID}:`);
  });

  it('refuses a wrong or missing ExternalId and unknown roles with AccessDenied 403', async () => {
    const { sts } = clients(sim, { maxAttempts: 1 });
    for (const input of [
      { RoleArn: DEMO_ROLE_ARN, RoleSessionName: 's1', ExternalId: 'wrong-external-id' },
      { RoleArn: DEMO_ROLE_ARN, RoleSessionName: 's1' },
      { RoleArn: `arn:aws:iam::${DEMO_ACCOUNT_ID}:role/DoesNotExist`, RoleSessionName: 's1', ExternalId: DEMO_EXTERNAL_ID },
    ]) {
      const err = await failure(sts.send(new AssumeRoleCommand(input)));
      expect(err.name).toBe('AccessDenied');
      expect(err.$metadata.httpStatusCode).toBe(403);
      expect(err.message).toContain('sts:AssumeRole');
    }
  });

  it('validates its parameters with ValidationError 400', async () => {
    const { sts } = clients(sim, { maxAttempts: 1 });
    const long = await failure(
      sts.send(new AssumeRoleCommand({ RoleArn: DEMO_ROLE_ARN, RoleSessionName: 's1', ExternalId: DEMO_EXTERNAL_ID, DurationSeconds: 7200 })),
    );
    expect(long.name).toBe('ValidationError');
    expect(long.$metadata.httpStatusCode).toBe(400);
    const name = await failure(sts.send(new AssumeRoleCommand({ RoleArn: DEMO_ROLE_ARN, RoleSessionName: 'bad name', ExternalId: DEMO_EXTERNAL_ID })));
    expect(name.name).toBe('ValidationError');
  });

  it('uses the ExternalId configured through the control API', async () => {
    sim.control.putRole({ roleArn: DEMO_ROLE_ARN, externalId: 'rotated-id-123', actions: ['iot:*'], maxSessionDurationSeconds: 3600 });
    const { sts } = clients(sim, { maxAttempts: 1 });
    const old = await failure(sts.send(new AssumeRoleCommand({ RoleArn: DEMO_ROLE_ARN, RoleSessionName: 's2', ExternalId: DEMO_EXTERNAL_ID })));
    expect(old.name).toBe('AccessDenied');
    const ok = await sts.send(new AssumeRoleCommand({ RoleArn: DEMO_ROLE_ARN, RoleSessionName: 's2', ExternalId: 'rotated-id-123' }));
    const c = clients(sim, {
      credentials: { accessKeyId: ok.Credentials!.AccessKeyId!, secretAccessKey: ok.Credentials!.SecretAccessKey!, sessionToken: ok.Credentials!.SessionToken! },
      maxAttempts: 1,
    });
    // This role version grants IoT only.
    const denied = await failure(c.timestream.send(new QueryCommand({ QueryString: QUERY })));
    expect(denied.name).toBe('AccessDeniedException');
  });
});
