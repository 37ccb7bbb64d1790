import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EnvError, mailEnv, outboundEnv, parseEnv } from './env';

const schema = z.object({ DATABASE_URL: z.string().regex(/^postgres:\/\//, { message: 'must be a postgres:// URL' }), PORT: z.coerce.number() });

describe('parseEnv', () => {
  it('names every missing or invalid variable', () => {
    expect(() => parseEnv(schema, { DATABASE_URL: 'mysql://x', PORT: undefined })).toThrow(EnvError);
    expect(() => parseEnv(schema, { DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(() => parseEnv(schema, { DATABASE_URL: 'mysql://x' })).toThrow(/PORT: is required/);
  });

  it('returns typed values', () => {
    expect(parseEnv(schema, { DATABASE_URL: 'postgres://h/db', PORT: '5' })).toEqual({ DATABASE_URL: 'postgres://h/db', PORT: 5 });
  });
});

describe('outboundEnv', () => {
  it('defaults to nothing allowed and validates each variable by name', () => {
    expect(outboundEnv({})).toEqual({ NODE_ENV: 'development', FLEETLINE_OUTBOUND_ALLOW_LOOPBACK: false, FLEETLINE_OUTBOUND_ALLOW_PRIVATE: false });
    expect(() => outboundEnv({ FLEETLINE_OUTBOUND_ALLOW_PRIVATE: '1' })).toThrow(/FLEETLINE_OUTBOUND_ALLOW_PRIVATE: must be true or false/);
    expect(() => outboundEnv({ FLEETLINE_AWS_STS_ENDPOINT: 'ftp://sts.example.com' })).toThrow(/FLEETLINE_AWS_STS_ENDPOINT/);
    expect(() => outboundEnv({ FLEETLINE_CUSTOM_ENDPOINT_HOSTS: 'a.example.com,b.example.com:443' })).toThrow(/"b.example.com:443" is not a host name/);
    expect(outboundEnv({ FLEETLINE_CUSTOM_ENDPOINT_HOSTS: 'a.example.com, .vpce.amazonaws.com', FLEETLINE_AWS_STS_ENDPOINT: 'http://127.0.0.1:4566' })).toMatchObject({
      FLEETLINE_CUSTOM_ENDPOINT_HOSTS: ['a.example.com', '.vpce.amazonaws.com'],
      FLEETLINE_AWS_STS_ENDPOINT: 'http://127.0.0.1:4566',
    });
  });
});

describe('mailEnv', () => {
  it('accepts smtp(s) URLs and addresses, and names the variable otherwise', () => {
    expect(mailEnv({})).toEqual({ MAIL_FROM: 'Fleetline <alerts@fleetline.local>' });
    expect(mailEnv({ SMTP_URL: 'smtp://127.0.0.1:1025', MAIL_FROM: 'Ops <ops@example.com>' })).toEqual({ SMTP_URL: 'smtp://127.0.0.1:1025', MAIL_FROM: 'Ops <ops@example.com>' });
    expect(mailEnv({ MAIL_FROM: 'alerts@example.com' }).MAIL_FROM).toBe('alerts@example.com');
    expect(() => mailEnv({ SMTP_URL: 'http://127.0.0.1:1025' })).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => mailEnv({ MAIL_FROM: 'not an address' })).toThrow(/MAIL_FROM: must be an address/);
  });
});
