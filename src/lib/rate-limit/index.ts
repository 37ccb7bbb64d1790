import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { jobQueueDb, type JobQueueDb } from '../db';
import { AppError } from '../errors';
import { logger } from '../logger';
import { LIMITS, resolveLimit, retryAfterText, type LimitDefinition, type LimitName } from './limits';

export { LIMITS, retryAfterText, type LimitName } from './limits';

/**
 * Rate limits (design §8.5) on rate-limiter-flexible's Postgres store, so every app instance
 * counts against the same rows of public.rate_limits (created by migration, service-only).
 * The store runs single autocommit statements through db.ts's pool door outside transactions:
 * a point consumed stays consumed even when the limited request's own transaction rolls back.
 */

/** What the store needs from the database: db.ts's raw pool door (JobQueueDb) has this shape. */
export type RateLimitStore = JobQueueDb;

/** A store answer slower than this counts as a store failure (see failClosed in limits.ts). */
const STORE_TIMEOUT_MS = 2_000;

/** RateLimiterPostgres with storeType 'pool' calls only `query({ name, text, values })` and reads rows/rowCount. */
function storeClient(store: RateLimitStore) {
  return {
    async query({ text, values }: { name?: string; text: string; values?: unknown[] }) {
      const { rows } = await store.executeSql(text, values);
      return { rows, rowCount: rows.length };
    },
  };
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimitedError extends AppError {
  constructor(
    readonly limit: LimitName,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', `Too many ${LIMITS[limit].label}. Try again in ${retryAfterText(retryAfterSeconds)}.`);
  }
}

/** A subject for per-account limits: the lower-cased e-mail, hashed (the table never holds addresses). */
export function accountSubject(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 40);
}

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`rate-limit store did not answer within ${ms} ms`)), ms).unref());
}

/** One app instance's limiters over a shared store. */
export class RateLimits {
  private readonly limiters = new Map<LimitName, { definition: LimitDefinition; limiter: RateLimiterPostgres }>();

  constructor(
    private readonly store: RateLimitStore,
    private readonly options: { env?: Record<string, string | undefined>; log?: Logger; timeoutMs?: number } = {},
  ) {}

  private limiter(name: LimitName) {
    let entry = this.limiters.get(name);
    if (!entry) {
      const definition = resolveLimit(name, this.options.env);
      const limiter = new RateLimiterPostgres({
        storeClient: storeClient(this.store),
        storeType: 'pool',
        tableName: 'rate_limits',
        schemaName: 'public',
        tableCreated: true,
        keyPrefix: definition.prefix,
        points: definition.points,
        duration: definition.duration,
        blockDuration: definition.block,
      });
      entry = { definition, limiter };
      this.limiters.set(name, entry);
    }
    return entry;
  }

  private async run<T>(name: LimitName, operation: (limiter: RateLimiterPostgres) => Promise<T>): Promise<T> {
    return Promise.race([operation(this.limiter(name).limiter), timeout(this.options.timeoutMs ?? STORE_TIMEOUT_MS)]);
  }

  /** Takes one point from `subject`'s budget under `name`. */
  async consume(name: LimitName, subject: string): Promise<LimitDecision> {
    try {
      await this.run(name, (limiter) => limiter.consume(subject));
      return { allowed: true };
    } catch (error) {
      if (error instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
      if (this.limiter(name).definition.failClosed) throw error;
      (this.options.log ?? logger).warn({ limit: name, err: error }, 'rate-limit store failed; request allowed');
      return { allowed: true };
    }
  }

  /** Consumes, and throws RateLimitedError (code RATE_LIMITED, "Try again in 42 s.") when over the limit. */
  async enforce(name: LimitName, subject: string): Promise<void> {
    const decision = await this.consume(name, subject);
    if (!decision.allowed) throw new RateLimitedError(name, decision.retryAfterSeconds);
  }

  /** Gives points back (a sign-in that succeeded was not an attack). Best effort. */
  async reward(name: LimitName, subject: string, points = 1): Promise<void> {
    await this.run(name, (limiter) => limiter.reward(subject, points)).catch((error: unknown) => {
      (this.options.log ?? logger).warn({ limit: name, err: error }, 'rate-limit reward failed');
    });
  }

  /** Clears `subject`'s counter under `name`. Best effort. */
  async reset(name: LimitName, subject: string): Promise<void> {
    await this.run(name, (limiter) => limiter.delete(subject)).catch((error: unknown) => {
      (this.options.log ?? logger).warn({ limit: name, err: error }, 'rate-limit reset failed');
    });
  }

  /**
   * A sign-in attempt, limited per client IP and per account (from any IP). Both count every
   * attempt up front, so parallel guesses cannot slip through; a success then returns the IP's
   * point and resets the account's consecutive failures.
   */
  async beginSignIn(client: string, email: string): Promise<{ succeeded(): Promise<void> }> {
    const account = accountSubject(email);
    await this.enforceAll([
      ['signInIp', client],
      ['signInAccount', account],
    ]);
    return {
      succeeded: async () => {
        await Promise.all([this.reward('signInIp', client), this.reset('signInAccount', account)]);
      },
    };
  }

  /** A sign-up attempt, limited per client IP and per account. */
  async limitSignUp(client: string, email: string): Promise<void> {
    await this.enforceAll([
      ['signUpIp', client],
      ['signUpAccount', accountSubject(email)],
    ]);
  }

  private async enforceAll(checks: [LimitName, string][]): Promise<void> {
    const decisions = await Promise.all(checks.map(([name, subject]) => this.consume(name, subject)));
    const refused = decisions.flatMap((decision, index) => (decision.allowed ? [] : [{ name: checks[index]![0], retry: decision.retryAfterSeconds }]));
    if (refused.length === 0) return;
    const longest = refused.reduce((a, b) => (b.retry > a.retry ? b : a));
    throw new RateLimitedError(longest.name, longest.retry);
  }
}

const globalForLimits = globalThis as unknown as { fleetlineRateLimits?: RateLimits };

/** This process's limiters, over the app's one pool. */
export function rateLimits(): RateLimits {
  globalForLimits.fleetlineRateLimits ??= new RateLimits(jobQueueDb());
  return globalForLimits.fleetlineRateLimits;
}

/** For server actions: throws RateLimitedError (RATE_LIMITED + when to retry) when over the limit. */
export function enforceRateLimit(name: LimitName, subject: string): Promise<void> {
  return rateLimits().enforce(name, subject);
}

/** The 429 answer of a limited route: `Retry-After` in seconds and a JSON body like the routes' other errors. */
export function rateLimitedResponse(error: RateLimitedError): Response {
  return Response.json(
    { error: error.message, code: error.code, retryAfterSeconds: error.retryAfterSeconds },
    { status: 429, headers: { 'cache-control': 'no-store', 'retry-after': String(error.retryAfterSeconds) } },
  );
}

/** For route handlers: null when allowed, else the 429 response to return. */
export async function limitRoute(name: LimitName, subject: string, limits: RateLimits = rateLimits()): Promise<Response | null> {
  const decision = await limits.consume(name, subject);
  return decision.allowed ? null : rateLimitedResponse(new RateLimitedError(name, decision.retryAfterSeconds));
}
