import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EnvError, parseEnv } from './env';

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
