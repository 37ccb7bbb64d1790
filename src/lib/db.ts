import postgres from 'postgres';
import { serverEnv } from './env';

/**
 * The only module that opens database connections. Two doors:
 * - asUser: a transaction as role `authenticated` with the verified JWT claims, so RLS decides
 *   (what PostgREST does on hosted Supabase);
 * - asService: bypasses RLS, for the worker and documented admin flows; callers still filter by org_id.
 */
export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

/** The verified claims of an access token (see lib/auth). */
export interface JwtClaims {
  sub: string;
  role: string;
  email?: string;
  session_id?: string;
  [claim: string]: unknown;
}

const globalForDb = globalThis as unknown as { fleetlineSql?: Sql };

function pool(): Sql {
  if (!globalForDb.fleetlineSql) {
    const env = serverEnv();
    globalForDb.fleetlineSql = postgres(env.DATABASE_URL, {
      max: env.DATABASE_POOL_SIZE,
      prepare: env.DATABASE_PREPARED_STATEMENTS === 'true',
      idle_timeout: 30,
      onnotice: () => {},
      connection: { application_name: 'fleetline' },
    });
  }
  return globalForDb.fleetlineSql;
}

export async function asUser<T>(claims: JwtClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (await pool().begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return fn(tx);
  })) as T;
}

export async function asService<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (await pool().begin(async (tx) => {
    await tx`select set_config('role', 'service_role', true)`;
    return fn(tx);
  })) as T;
}

/** Liveness probe for /api/health: one round trip, no transaction. */
export async function pingDatabase(): Promise<number> {
  const started = performance.now();
  await pool()`select 1`;
  return Math.round(performance.now() - started);
}

/** Closes the pool (scripts and the worker call this on shutdown). */
export async function closeDatabase(): Promise<void> {
  await globalForDb.fleetlineSql?.end({ timeout: 5 });
  globalForDb.fleetlineSql = undefined;
}
