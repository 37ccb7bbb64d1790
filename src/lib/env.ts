import { z } from 'zod';
import { parseKeyring, VaultError } from './vault';

/**
 * One Zod schema per runtime, parsed on first use and at start-up (instrumentation.ts),
 * so a misconfigured deployment stops with the variable's name instead of failing later.
 */
const supabaseSchema = z.object({
  SUPABASE_URL: z.url({ message: 'must be the Supabase project URL, e.g. http://127.0.0.1:54321' }),
  SUPABASE_ANON_KEY: z.string().min(20, { message: 'must be the anon (publishable) key' }),
});

const serverSchema = supabaseSchema.extend({
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
  /** The credential vault's keyring (design §5); parsed here so a bad keyring stops start-up. */
  FLEETLINE_VAULT_KEYS: z.string().transform((value, ctx) => {
    try {
      return parseKeyring(value);
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.reason });
      return z.NEVER;
    }
  }),
});

export type SupabaseEnv = z.infer<typeof supabaseSchema>;
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

let cachedSupabaseEnv: SupabaseEnv | undefined;

/**
 * Where Supabase Auth lives. Read at run time on the server only: the browser never talks to
 * Supabase directly (sessions travel as cookies through our own routes), so one build serves any
 * deployment and the CSP can stay `connect-src 'self'`.
 */
export function supabaseEnv(): SupabaseEnv {
  cachedSupabaseEnv ??= parseEnv(supabaseSchema, process.env);
  return cachedSupabaseEnv;
}
