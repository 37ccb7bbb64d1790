import { z } from 'zod';

/**
 * One Zod schema per runtime, parsed on first use and at start-up (instrumentation.ts),
 * so a misconfigured deployment stops with the variable's name instead of failing later.
 */
const publicSchema = z.object({
  NEXT_PUBLIC_SUPABASE_URL: z.url({ message: 'must be the Supabase project URL, e.g. http://127.0.0.1:54321' }),
  NEXT_PUBLIC_SUPABASE_ANON_KEY: z.string().min(20, { message: 'must be the anon (publishable) key' }),
});

const serverSchema = publicSchema.extend({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// connection string' }),
  /** Transaction-mode poolers (Supabase port 6543) do not support prepared statements. */
  DATABASE_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Public base URL used in invite links; falls back to the request's origin. */
  APP_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
});

export type PublicEnv = z.infer<typeof publicSchema>;
export type ServerEnv = z.infer<typeof serverSchema>;

export class EnvError extends Error {
  override name = 'EnvError';
}

export function parseEnv<S extends z.ZodObject>(schema: S, source: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    return source[name] === undefined || source[name] === '' ? `  ${name}: is required` : `  ${name}: ${issue.message}`;
  });
  throw new EnvError(`Invalid environment configuration:\n${lines.join('\n')}`);
}

let cachedServerEnv: ServerEnv | undefined;

export function serverEnv(): ServerEnv {
  cachedServerEnv ??= parseEnv(serverSchema, process.env);
  return cachedServerEnv;
}

/** Next inlines NEXT_PUBLIC_* only when referenced literally, hence the explicit object. */
export function publicEnv(): PublicEnv {
  return parseEnv(publicSchema, {
    NEXT_PUBLIC_SUPABASE_URL: process.env.NEXT_PUBLIC_SUPABASE_URL,
    NEXT_PUBLIC_SUPABASE_ANON_KEY: process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY,
  });
}
