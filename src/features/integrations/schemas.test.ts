import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const fieldErrors = (error: z.ZodError) => z.flattenError(error).fieldErrors as Record<string, string[] | undefined>;
import { IOT_REGION_CODES } from './regions';
import {
  accessKeyIdSchema,
  connectionSchema,
  createIntegrationSchema,
  customEndpointSchema,
  detailsSchema,
  isLoopbackHost,
  regionSchema,
  roleArnSchema,
  scheduleSchema,
  secretAccessKeySchema,
  updateIntegrationSchema,
} from './schemas';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const keys = { authType: 'access_keys', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET } as const;

describe('access keys', () => {
  it('accepts AKIA and ASIA ids of 20 upper-case characters, trimming pasted whitespace', () => {
    expect(accessKeyIdSchema.parse(' AKIAIOSFODNN7EXAMPLE ')).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(accessKeyIdSchema.safeParse('ASIAIOSFODNN7EXAMPLE').success).toBe(true);
  });

  it.each(['akiaiosfodnn7example', 'AKIAIOSFODNN7EXAMPL', 'AKIAIOSFODNN7EXAMPLEX', 'AIDAIOSFODNN7EXAMPLE', 'AKIA-OSFODNN7EXAMPLE'])('rejects the id %s', (id) => {
    expect(accessKeyIdSchema.safeParse(id).success).toBe(false);
  });

  it('accepts a 40-character secret with / and +', () => {
    expect(secretAccessKeySchema.parse(SECRET)).toBe(SECRET);
    expect(secretAccessKeySchema.safeParse('FleetlineLimitSecretKey+Local+Only+00002').success).toBe(true);
  });

  it.each([SECRET.slice(1), `${SECRET}A`, `${SECRET.slice(1)}=`, `${SECRET.slice(1)}-`, `${SECRET.slice(2)} x`])('rejects a malformed secret', (secret) => {
    expect(secretAccessKeySchema.safeParse(secret).success).toBe(false);
  });

  it('never repeats the secret in its error messages', () => {
    const almost = `${SECRET.slice(0, 39)}!`;
    const result = connectionSchema.safeParse({ ...keys, secretAccessKey: almost });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error!.issues)).not.toContain(almost.slice(0, 30));
    expect(fieldErrors(result.error!).secretAccessKey).toEqual(['A secret access key is exactly 40 characters: letters, digits, / and +.']);
  });
});

describe('custom endpoint', () => {
  it('accepts https anywhere and normalises to the origin', () => {
    expect(customEndpointSchema.parse('https://vpce-0a1b.iot.eu-west-1.vpce.amazonaws.com/')).toBe('https://vpce-0a1b.iot.eu-west-1.vpce.amazonaws.com');
    expect(customEndpointSchema.parse('https://10.0.0.5:8443')).toBe('https://10.0.0.5:8443');
  });

  it.each([
    ['http://127.0.0.1:4566', 'http://127.0.0.1:4566'],
    ['http://127.1.2.3', 'http://127.1.2.3'],
    ['http://localhost:4566/', 'http://localhost:4566'],
    ['HTTP://LOCALHOST:4566', 'http://localhost:4566'],
    ['http://[::1]:4566', 'http://[::1]:4566'],
    ['http://[0:0:0:0:0:0:0:1]:4566', 'http://[::1]:4566'],
    ['http://127.1:4566', 'http://127.0.0.1:4566'],
  ])('accepts plain http on the loopback address %s', (input, origin) => {
    expect(customEndpointSchema.parse(input)).toBe(origin);
  });

  it.each([
    'http://10.0.0.1:4566',
    'http://169.254.169.254',
    'http://example.com',
    'http://127.0.0.1.nip.io',
    'http://localhost.example.com',
    'http://[::ffff:127.0.0.1]',
    'http://128.0.0.1',
    'http://0.0.0.0:4566',
  ])('refuses plain http to the non-loopback host %s', (input) => {
    const result = customEndpointSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/only allowed for loopback/);
  });

  it.each(['ftp://example.com', 'not a url', 'https://user:pass@example.com', 'https://example.com/path', 'https://example.com/?x=1', 'javascript:alert(1)'])(
    'refuses %s',
    (input) => {
      expect(customEndpointSchema.safeParse(input).success).toBe(false);
    },
  );

  it('treats an empty value as "no custom endpoint"', () => {
    expect(customEndpointSchema.parse('  ')).toBeNull();
    expect(connectionSchema.parse(keys).customEndpoint).toBeNull();
  });

  it('knows which hosts are loopback', () => {
    expect(isLoopbackHost('127.255.255.254')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('126.0.0.1')).toBe(false);
  });
});

describe('regions', () => {
  it('accepts every listed IoT Core region, all of which satisfy the database check', () => {
    for (const code of IOT_REGION_CODES) {
      expect(regionSchema.parse(code)).toBe(code);
      expect(code).toMatch(/^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/);
    }
    expect(IOT_REGION_CODES).toEqual(expect.arrayContaining(['us-east-1', 'eu-central-1', 'ap-northeast-1', 'cn-north-1', 'us-gov-west-1']));
  });

  it.each(['mars-1', 'us-east-9', 'US-EAST-1', '', 'eu-fake-1'])('rejects %s', (region) => {
    expect(regionSchema.safeParse(region).success).toBe(false);
  });
});

describe('connection and details', () => {
  it('requires a role ARN for the role path and never keeps keys there', () => {
    const role = connectionSchema.parse({ authType: 'assume_role', region: 'us-east-1', roleArn: 'arn:aws:iam::111122223333:role/FleetlineAccess', secretAccessKey: SECRET });
    expect(role).not.toHaveProperty('secretAccessKey');
    const missing = connectionSchema.safeParse({ authType: 'assume_role', region: 'us-east-1' });
    expect(fieldErrors(missing.error!).roleArn).toBeDefined();
  });

  it.each(['arn:aws:iam::123:role/x', 'arn:aws:iam::123456789012:user/x', 'arn:aws:s3:::bucket', 'arn:aws:iam::123456789012:role/'])('rejects the role ARN %s', (arn) => {
    expect(roleArnSchema.safeParse(arn).success).toBe(false);
  });

  it('accepts GovCloud and China role ARNs', () => {
    expect(roleArnSchema.safeParse('arn:aws-us-gov:iam::123456789012:role/Fleetline').success).toBe(true);
    expect(roleArnSchema.safeParse('arn:aws-cn:iam::123456789012:role/path/Fleetline').success).toBe(true);
  });

  it('names every bad field at once', () => {
    const result = detailsSchema.safeParse({ authType: 'access_keys', name: ' ', region: 'mars-1', accessKeyId: 'x', secretAccessKey: 'y' });
    expect(Object.keys(fieldErrors(result.error!)).sort()).toEqual(['accessKeyId', 'name', 'region', 'secretAccessKey']);
  });

  it('needs the Timestream database with the table, and the table with the database', () => {
    const tableOnly = connectionSchema.safeParse({ ...keys, timestreamTable: 'telemetry' });
    expect(fieldErrors(tableOnly.error!).timestreamDatabase).toEqual(['Enter the database that holds this table.']);
    const dbOnly = connectionSchema.safeParse({ ...keys, timestreamDatabase: 'fleet' });
    expect(fieldErrors(dbOnly.error!).timestreamTable).toBeDefined();
    expect(connectionSchema.parse({ ...keys, timestreamDatabase: 'fleet', timestreamTable: 'telemetry' })).toMatchObject({ timestreamDatabase: 'fleet', timestreamTable: 'telemetry' });
  });

  it('rejects Timestream names that could break out of a quoted identifier', () => {
    for (const name of ['fl"eet', "fleet'--", 'a b', 'ab', 'x'.repeat(257)]) {
      expect(connectionSchema.safeParse({ ...keys, timestreamDatabase: name, timestreamTable: 'telemetry' }).success).toBe(false);
    }
  });
});

describe('schedule', () => {
  it('defaults to 5 minutes and half the quotas', () => {
    expect(scheduleSchema.parse({})).toEqual({ syncIntervalSeconds: 300, syncBudget: 0.5 });
  });

  it('bounds the interval to 1 minute–24 hours and the budget to 5–100 %', () => {
    expect(scheduleSchema.safeParse({ syncIntervalSeconds: 59 }).success).toBe(false);
    expect(scheduleSchema.safeParse({ syncIntervalSeconds: 86_401 }).success).toBe(false);
    expect(scheduleSchema.safeParse({ syncIntervalSeconds: 90.5 }).success).toBe(false);
    expect(scheduleSchema.safeParse({ syncBudget: 0.04 }).success).toBe(false);
    expect(scheduleSchema.safeParse({ syncBudget: 1.01 }).success).toBe(false);
    expect(scheduleSchema.parse({ syncIntervalSeconds: '86400', syncBudget: '0.333' })).toEqual({ syncIntervalSeconds: 86_400, syncBudget: 0.33 });
  });
});

describe('drafts and updates', () => {
  it('only accepts External IDs in Fleetline’s own format', () => {
    const base = { details: { ...keys, name: 'Prod' }, schedule: {} };
    const draft = { integrationId: '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60', token: 'k1.1999999999.abcdefghijk' };
    expect(createIntegrationSchema.safeParse({ ...base, draft: { ...draft, externalId: 'fl-abcdefghijklmnopqrstuvwx' } }).success).toBe(true);
    expect(createIntegrationSchema.safeParse({ ...base, draft: { ...draft, externalId: 'fleetline-demo-external-id' } }).success).toBe(false);
    expect(createIntegrationSchema.safeParse({ ...base, draft: { ...draft, integrationId: 'not-a-uuid', externalId: 'fl-abcdefghijklmnopqrstuvwx' } }).success).toBe(false);
  });

  it('coerces the settings form’s strings', () => {
    const parsed = updateIntegrationSchema.parse({
      integrationId: '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60',
      name: 'Prod',
      syncIntervalSeconds: '600',
      syncBudget: '0.25',
      customEndpoint: '',
      timestreamDatabase: '',
      timestreamTable: '',
    });
    expect(parsed).toMatchObject({ syncIntervalSeconds: 600, syncBudget: 0.25, customEndpoint: null, timestreamDatabase: null, timestreamTable: null });
  });
});
