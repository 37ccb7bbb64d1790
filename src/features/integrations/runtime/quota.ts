import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';

/**
 * Quota-aware AWS calls of the integration runtime: a token bucket per API at `sync_budget` × the AWS default rate, slowed on
 * ThrottlingException (by name; retried without limit, never fatal by itself), bounded backoff for
 * 5xx and network errors. The SDK's own retries are off, so every attempt is paced and counted.
 */

/** Default AWS rates in requests per second (reference §A.6; shadow APIs for the large regions). */
export const AWS_DEFAULT_RATES = {
  ListThings: 10,
  SearchIndex: 15,
  GetIndexingConfiguration: 20,
  ListThingTypes: 10,
  ListThingGroups: 10,
  DescribeThingGroup: 100,
  ListThingsInThingGroup: 25,
  GetThingShadow: 4000,
  ListNamedShadowsForThing: 4000,
  ListJobs: 10,
  DescribeJob: 10,
  ListJobExecutionsForJob: 10,
  // IoT Rules management (live-data set-up): a handful of calls per set-up, AWS allows 1–5/s.
  CreateTopicRule: 5,
  ReplaceTopicRule: 5,
  DeleteTopicRule: 5,
  GetTopicRule: 20,
  ListTopicRules: 1,
  CreateTopicRuleDestination: 5,
  GetTopicRuleDestination: 5,
  ConfirmTopicRuleDestination: 5,
  DeleteTopicRuleDestination: 5,
  ListTopicRuleDestinations: 1,
} as const;
export type AwsApi = keyof typeof AWS_DEFAULT_RATES;

const FALLBACK_RATE = 10;
/** Account-level shadow rate outside the large regions (reference §A.6: 4,000/s large, 400/s others). */
const SMALL_REGION_SHADOW_RATE = 400;
const LARGE_SHADOW_REGIONS = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);
const SHADOW_APIS = new Set<string>(['GetThingShadow', 'ListNamedShadowsForThing']);

export function defaultRate(api: string, region: string): number {
  if (SHADOW_APIS.has(api) && !LARGE_SHADOW_REGIONS.has(region)) return SMALL_REGION_SHADOW_RATE;
  return (AWS_DEFAULT_RATES as Record<string, number>)[api] ?? FALLBACK_RATE;
}

const THROTTLING_NAMES = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'RequestThrottled']);
const TRANSIENT_NAMES = new Set([
  'InternalFailureException',
  'InternalServerException',
  'InternalFailure',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'GatewayTimeoutException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

interface ErrorLike {
  name?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

export function isThrottling(error: unknown): boolean {
  return THROTTLING_NAMES.has((error as ErrorLike)?.name ?? '');
}

export function isTransient(error: unknown): boolean {
  const e = (error ?? {}) as ErrorLike;
  if (e.name === 'AbortError') return false;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return status >= 500 || TRANSIENT_NAMES.has(e.name ?? '') || NETWORK_CODES.has(e.code ?? '');
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('The sync was stopped.');
  error.name = 'AbortError';
  return error;
}

/**
 * A token bucket that lends future tokens, so concurrent callers each reserve their own slot. The
 * rate halves on throttling (to a floor) and climbs back additively per success (AIMD).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  rate: number;

  constructor(
    readonly targetRate: number,
    private readonly clock: Clock,
    readonly capacity = Math.max(1, targetRate),
    private readonly floorRate = Math.max(targetRate * 0.05, 0.1),
  ) {
    this.rate = targetRate;
    this.tokens = capacity;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /** Milliseconds the caller must wait for its token (0 = go now); the token is taken either way. */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }

  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait, signal);
  }

  onThrottled(): void {
    this.refill();
    this.rate = Math.max(this.floorRate, this.rate / 2);
    // Drop the burst allowance so the slower rate applies at once.
    this.tokens = Math.min(this.tokens, 0);
  }

  onSuccess(): void {
    if (this.rate < this.targetRate) this.rate = Math.min(this.targetRate, this.rate + this.targetRate * 0.05);
  }
}

export interface ApiStats {
  calls: number;
  throttled: number;
  errors: number;
  retries: number;
  ratePerSecond: number;
}

export interface RetryPolicy {
  /** Attempts for 5xx/network errors before giving up (throttling is retried without limit). */
  maxTransientAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxTransientAttempts: 8, baseDelayMs: 200, maxDelayMs: 20_000 };

export interface GovernorOptions {
  region: string;
  /** Share of the AWS default rates this integration may use (integrations.sync_budget). */
  budget: number;
  /** Per-API replacements of the AWS default rate (before the budget applies). */
  rates?: Partial<Record<string, number>>;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  signal?: AbortSignal;
  random?: () => number;
  /** The integration's budget shared with other processes (see shared-budget.ts); local only when absent. */
  shared?: { take(api: string, ratePerSecond: number, signal?: AbortSignal): Promise<void> };
}

export class QuotaGovernor {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly stats = new Map<string, Omit<ApiStats, 'ratePerSecond'>>();
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly options: GovernorOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
  }

  bucket(api: string): TokenBucket {
    let b = this.buckets.get(api);
    if (!b) {
      const base = this.options.rates?.[api] ?? defaultRate(api, this.options.region);
      b = new TokenBucket(base * this.options.budget, this.clock);
      this.buckets.set(api, b);
    }
    return b;
  }

  private stat(api: string) {
    let s = this.stats.get(api);
    if (!s) {
      s = { calls: 0, throttled: 0, errors: 0, retries: 0 };
      this.stats.set(api, s);
    }
    return s;
  }

  /** Full jitter: a random delay up to the exponential bound (AWS's recommended backoff). */
  private backoff(attempt: number, baseMs: number): number {
    return this.random() * Math.min(this.retry.maxDelayMs, baseMs * 2 ** attempt);
  }

  /** Sends one AWS request through the API's bucket, retrying throttling and transient failures. */
  async call<T>(api: string, send: () => Promise<T>): Promise<T> {
    const bucket = this.bucket(api);
    const s = this.stat(api);
    const signal = this.options.signal;
    let throttles = 0;
    let transient = 0;
    for (;;) {
      await bucket.take(signal);
      await this.options.shared?.take(api, bucket.targetRate, signal);
      s.calls++;
      try {
        const result = await send();
        bucket.onSuccess();
        return result;
      } catch (error) {
        if (signal?.aborted) throw abortError(signal);
        if (isThrottling(error)) {
          s.throttled++;
          s.retries++;
          bucket.onThrottled();
          await this.clock.sleep(this.backoff(Math.min(throttles++, 10), 250), signal);
          continue;
        }
        if (isTransient(error) && ++transient < this.retry.maxTransientAttempts) {
          s.errors++;
          s.retries++;
          await this.clock.sleep(this.backoff(transient, this.retry.baseDelayMs), signal);
          continue;
        }
        if (isTransient(error)) s.errors++;
        throw error;
      }
    }
  }

  snapshot(): Record<string, ApiStats> {
    const out: Record<string, ApiStats> = {};
    for (const [api, s] of [...this.stats.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      out[api] = { ...s, ratePerSecond: Math.round(this.bucket(api).rate * 100) / 100 };
    }
    return out;
  }

  totals(): { calls: number; throttled: number; retries: number } {
    let calls = 0;
    let throttled = 0;
    let retries = 0;
    for (const s of this.stats.values()) {
      calls += s.calls;
      throttled += s.throttled;
      retries += s.retries;
    }
    return { calls, throttled, retries };
  }

  /**
   * Routes every request of an SDK client through this governor (paginators included). Installed on
   * clients built with `maxAttempts: 1`, so the retries above are the only ones.
   */
  attach<I extends object, O extends object>(client: { middlewareStack: MiddlewareStack<I, O> }): void {
    const middleware: InitializeMiddleware<I, O> = (next, context) => (args) => {
      const api = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      return this.call(api, () => next(args));
    };
    client.middlewareStack.add(middleware, { step: 'initialize', name: 'fleetlineQuotaGovernor', override: true });
  }
}
