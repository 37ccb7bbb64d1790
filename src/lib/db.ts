import { AsyncLocalStorage } from 'node:async_hooks';
import postgres from 'postgres';
import { databaseEnv } from './env';

/**
 * The only module that opens database connections. Two doors:
 * - asUser: a transaction as role `authenticated` with the verified JWT claims, so RLS decides
 *   (what PostgREST does on hosted Supabase);
 * - asService: bypasses RLS, for the worker and documented admin flows; callers still filter by org_id.
 * Neither may wait on the network (design §8.3): AWS clients call assertOutsideTransaction, and every
 * transaction runs under statement and idle-in-transaction timeouts, so a stall cannot hold the pool.
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

const globalForDb = globalThis as unknown as { fleetlineSql?: Sql; fleetlineTimeouts?: DatabaseTimeouts };

/** Milliseconds. */
interface DatabaseTimeouts {
  service: number;
  user: number;
  idle: number;
}

function pool(): Sql {
  if (!globalForDb.fleetlineSql) {
    const env = databaseEnv();
    globalForDb.fleetlineTimeouts = {
      service: env.DATABASE_STATEMENT_TIMEOUT_MS,
      user: env.DATABASE_USER_STATEMENT_TIMEOUT_MS,
      idle: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    };
    globalForDb.fleetlineSql = postgres(env.DATABASE_URL, {
      max: env.DATABASE_POOL_SIZE,
      prepare: env.DATABASE_PREPARED_STATEMENTS === 'true',
      idle_timeout: 30,
      onnotice: () => {},
      // Timeouts are set per transaction (asUser/asService), not as startup parameters: transaction-mode
      // poolers refuse unknown startup parameters, and role settings do not apply on `set local role`.
      connection: { application_name: 'fleetline' },
    });
  }
  return globalForDb.fleetlineSql;
}

function timeouts(): DatabaseTimeouts {
  pool();
  return globalForDb.fleetlineTimeouts!;
}

/** The open transaction of the current async context; `open` turns false when it ends (work it spawned may outlive it). */
const transactionScope = new AsyncLocalStorage<TransactionScope>();

interface TransactionScope {
  door: 'asUser' | 'asService';
  open: boolean;
  /** Work that must only see committed rows (see afterCommit). */
  afterCommit: (() => Promise<void>)[];
}

/** Thrown when network I/O is attempted while a transaction holds a pooled connection. */
export class TransactionIOError extends Error {
  override name = 'TransactionIOError';
}

/**
 * Throws inside asUser/asService. AWS clients call it before every request, so an AWS call made
 * while a transaction is open fails loudly instead of holding a connection for as long as AWS takes.
 */
export function assertOutsideTransaction(what = 'Network I/O'): void {
  const scope = transactionScope.getStore();
  if (scope?.open) {
    throw new TransactionIOError(`${what} inside an open database transaction (${scope.door}): commit first, call out, then write in a new transaction.`);
  }
}

async function transaction<T>(door: 'asUser' | 'asService', setup: (tx: Tx, t: DatabaseTimeouts) => Promise<unknown>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const t = timeouts();
  const scope: TransactionScope = { door, open: true, afterCommit: [] };
  const result = (await pool().begin((tx) =>
    transactionScope.run(scope, async () => {
      try {
        await setup(tx, t);
        return await fn(tx);
      } finally {
        scope.open = false;
      }
    }),
  )) as T;
  for (const work of scope.afterCommit) await work();
  return result;
}

/**
 * Runs `work` once the current asUser/asService transaction has committed (at once outside one;
 * never if it rolls back). For hand-offs to readers on other connections, such as queueing a job
 * whose handler reads a row this transaction writes: queued earlier, the handler may not see it.
 */
export async function afterCommit(work: () => Promise<void>): Promise<void> {
  const scope = transactionScope.getStore();
  if (scope?.open) scope.afterCommit.push(work);
  else await work();
}

export async function asUser<T>(claims: JwtClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(
    'asUser',
    (tx, t) => tx`
      select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
             set_config('statement_timeout', ${String(t.user)}, true), set_config('idle_in_transaction_session_timeout', ${String(t.idle)}, true)`,
    fn,
  );
}

export async function asService<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(
    'asService',
    (tx, t) => tx`
      select set_config('role', 'service_role', true),
             set_config('statement_timeout', ${String(t.service)}, true), set_config('idle_in_transaction_session_timeout', ${String(t.idle)}, true)`,
    fn,
  );
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

/**
 * pg-boss's parameters as postgres.js expects them: undefined is null, and JSON that pg-boss
 * serialised itself (insert() sends its jobs as one JSON string) is parsed back, because postgres.js
 * serialises values bound to json parameters again.
 */
function queueParam(value: unknown): postgres.ParameterOrJSON<never> {
  if (value === undefined) return null;
  if (typeof value === 'string' && (value.startsWith('[{') || value === '[]')) {
    try {
      return JSON.parse(value) as postgres.ParameterOrJSON<never>;
    } catch {
      return value;
    }
  }
  return value as postgres.ParameterOrJSON<never>;
}

/** What pg-boss needs to run its SQL (its `db` option). */
export interface JobQueueDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * The job queue's door to the same pool, so pg-boss opens no second one. Its statements run
 * outside asUser/asService transactions, in its own `pgboss` schema.
 */
export function jobQueueDb(): JobQueueDb {
  return {
    async executeSql(text, values = []) {
      if (values.length > 0) return { rows: [...(await pool().unsafe(text, values.map(queueParam)))] };
      // Parameterless plans may be whole BEGIN…COMMIT scripts, which postgres.js allows only on a reserved connection.
      const connection = await pool().reserve();
      try {
        return { rows: [...(await connection.unsafe(text))] };
      } catch (error) {
        // A failed statement leaves the script's transaction open and aborted: end it before the
        // connection goes back to the pool, or every later query on it fails.
        await connection.unsafe('rollback').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
  };
}
