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

/** What every process that touches the database needs (the app and the worker). */
const databaseSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// connection string' }),
  /** Transaction-mode poolers (Supabase port 6543) do not support prepared statements. */
  DATABASE_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Longest statement of a service-door transaction (asService: sync pages, bulk batches). */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  /** Longest statement of a user's request (asUser); matches the `authenticated` role's setting. */
  DATABASE_USER_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(8_000),
  /** A transaction idle this long is ended by Postgres (no transaction waits on the network). */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
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

const flag = z.enum(['true', 'false'], { message: 'must be true or false' }).default('false').transform((v) => v === 'true');

/** Hosts or `.suffix` entries, comma-separated; each a plain DNS name or IP (no scheme, port or path). */
const hostList = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return undefined;
    const entries = value.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
    const bad = entries.find((e) => !/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$|^\[[0-9a-f:.]+\]$/.test(e));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `"${bad}" is not a host name or .suffix (comma-separated, no scheme or port)` });
      return z.NEVER;
    }
    return entries;
  });

/**
 * Where Fleetline's servers may connect on a tenant's behalf (design §8.2, lib/net/outbound-guard).
 * Loopback is for the local stack and tests; nothing here ever allows link-local or metadata addresses.
 */
const outboundSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  FLEETLINE_OUTBOUND_ALLOW_LOOPBACK: flag,
  FLEETLINE_OUTBOUND_ALLOW_PRIVATE: flag,
  /** Custom AWS endpoints are refused in production unless their host is listed here. */
  FLEETLINE_CUSTOM_ENDPOINT_HOSTS: hostList,
  /** Where the STS call signed with Fleetline's own identity goes; unset = AWS's regional STS. */
  FLEETLINE_AWS_STS_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://sts.eu-west-1.amazonaws.com' }).optional(),
});

/**
 * Where notification e-mail goes (features/notifications): an SMTP URL as nodemailer reads it,
 * smtp:// (STARTTLS when offered) or smtps:// (TLS), credentials in the URL. Unset = e-mail
 * channels cannot deliver (their deliveries give up saying so); the local stack runs a sink.
 */
const mailSchema = z.object({
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, message: 'must be an smtp:// or smtps:// URL, e.g. smtp://127.0.0.1:1025 or smtps://user:pass@smtp.example.com:465' })
    .optional(),
  MAIL_FROM: z
    .string()
    .regex(/^([^<>\r\n]{1,100} )?<?[^\s@<>]+@[^\s@<>]+>?$/, { message: 'must be an address, e.g. alerts@example.com or "Fleetline <alerts@example.com>"' })
    .default('Fleetline <alerts@fleetline.local>'),
});

const serverSchema = supabaseSchema.extend(databaseSchema.shape).extend(outboundSchema.shape).extend(mailSchema.shape).extend({
  /** Public base URL of the app; invite links are built on it, never on request headers. */
  APP_URL: z.url({ protocol: /^https?$/, message: 'must be the app\'s public http(s) URL' }).default('http://127.0.0.1:3000'),
  /** Bearer secret of /api/cron/tick; unset disables the route (deployments with a worker need none). */
  CRON_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
});

/** The sync worker (npm run worker): no Supabase Auth, only the database, the vault and AWS. */
const workerSchema = databaseSchema.extend(outboundSchema.shape).extend(mailSchema.shape).extend({
  /** Syncs one worker process runs at the same time (each on a different integration). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  /** How often an idle worker asks the queue for work. */
  WORKER_POLL_INTERVAL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
});

/** Production has no default public URL: a guessed one would put wrong links in every invite. */
const productionServerSchema = serverSchema.extend({ APP_URL: serverSchema.shape.APP_URL.removeDefault() });

export type SupabaseEnv = z.infer<typeof supabaseSchema>;
export type DatabaseEnv = z.infer<typeof databaseSchema>;
export type ServerEnv = z.infer<typeof serverSchema>;
export type WorkerEnv = z.infer<typeof workerSchema>;
export type OutboundEnv = z.infer<typeof outboundSchema>;
export type MailEnv = z.infer<typeof mailSchema>;

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
  cachedServerEnv ??= parseEnv(process.env.NODE_ENV === 'production' ? productionServerSchema : serverSchema, process.env);
  return cachedServerEnv;
}

let cachedDatabaseEnv: DatabaseEnv | undefined;

/** The subset of the server's settings the worker shares (db.ts reads this, so the worker can too). */
export function databaseEnv(): DatabaseEnv {
  cachedDatabaseEnv ??= parseEnv(databaseSchema, process.env);
  return cachedDatabaseEnv;
}

let cachedWorkerEnv: WorkerEnv | undefined;

export function workerEnv(): WorkerEnv {
  cachedWorkerEnv ??= parseEnv(workerSchema, process.env);
  return cachedWorkerEnv;
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

/** Not cached: cheap, and tests change these variables between cases. */
export function outboundEnv(source: Record<string, string | undefined> = process.env): OutboundEnv {
  return parseEnv(outboundSchema, source);
}

const appUrlSchema = z.object({ APP_URL: serverSchema.shape.APP_URL });

/**
 * The app's public URL outside the app (the worker's report links): required in production, like
 * the server's, and the local stack's address elsewhere.
 */
export function appUrlEnv(source: Record<string, string | undefined> = process.env): string {
  const schema = (source.NODE_ENV ?? process.env.NODE_ENV) === 'production' ? z.object({ APP_URL: appUrlSchema.shape.APP_URL.removeDefault() }) : appUrlSchema;
  return parseEnv(schema, source).APP_URL;
}

/** Not cached, like outboundEnv: the worker reads it once when it builds its mail transport. */
export function mailEnv(source: Record<string, string | undefined> = process.env): MailEnv {
  return parseEnv(mailSchema, source);
}
