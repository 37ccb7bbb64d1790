// Per-API token buckets at AWS's default rates (reference §A.6), in real time: a throttle is what the
// SDK's retry logic reacts to, and it lives in real time.

/**
 * Requests per second per account. From the AWS quota pages where documented; the values marked
 * "assumed" have no published default and are the simulator's choice.
 */
export const DEFAULT_RATES: Record<string, number> = {
  ListThings: 10,
  DescribeThing: 350,
  UpdateThing: 100,
  ListThingTypes: 10,
  ListThingGroups: 10,
  ListThingsInThingGroup: 25,
  ListThingGroupsForThing: 10, // assumed
  DescribeThingGroup: 100, // assumed
  DescribeEndpoint: 10, // assumed
  GetIndexingConfiguration: 20,
  UpdateIndexingConfiguration: 1, // assumed
  SearchIndex: 15,
  GetStatistics: 15,
  GetBucketsAggregation: 15, // assumed, same family as GetStatistics
  CreateJob: 10,
  ListJobs: 10,
  DescribeJob: 10,
  ListJobExecutionsForJob: 10,
  CancelJob: 10,
  GetJobDocument: 10, // assumed
  DescribeJobExecution: 10, // assumed
  ListJobExecutionsForThing: 10, // assumed
  // Device Shadow: account-level per API (4,000/s in large regions such as us-east-1) plus 20/s per thing.
  GetThingShadow: 4000,
  UpdateThingShadow: 4000,
  ListNamedShadowsForThing: 4000,
  // Rules engine APIs: AWS publishes no per-API default for these; assumed, in the family of the other
  // control-plane mutations (writes 5/s, reads 10/s).
  CreateTopicRule: 5, // assumed
  ReplaceTopicRule: 5, // assumed
  DeleteTopicRule: 5, // assumed
  GetTopicRule: 10, // assumed
  ListTopicRules: 10, // assumed
  CreateTopicRuleDestination: 5, // assumed
  UpdateTopicRuleDestination: 5, // assumed
  DeleteTopicRuleDestination: 5, // assumed
  ConfirmTopicRuleDestination: 5, // assumed
  GetTopicRuleDestination: 10, // assumed
  ListTopicRuleDestinations: 10, // assumed
  AssumeRole: 600, // assumed (STS request-rate quota)
  GetCallerIdentity: 600, // assumed
  Query: 50, // assumed; Timestream limits concurrency rather than TPS
  DescribeEndpoints: 50, // assumed
};

export const PER_THING_SHADOW_RATE = 20;
const FALLBACK_RATE = 10;

export interface QuotaSettings {
  enabled: boolean;
  /** Multiplies every rate (0.1 = a tenth of AWS's defaults). */
  factor: number;
  /** Per-operation rates (requests/s) that replace the defaults before the factor applies. */
  rates: Record<string, number>;
  perThingShadowRate: number;
}

export function defaultQuotas(): QuotaSettings {
  return { enabled: true, factor: 1, rates: {}, perThingShadowRate: PER_THING_SHADOW_RATE };
}

interface Bucket {
  tokens: number;
  last: number;
  rate: number;
  capacity: number;
}

export class QuotaManager {
  private buckets = new Map<string, Bucket>();

  constructor(public settings: QuotaSettings) {}

  update(settings: QuotaSettings): void {
    this.settings = settings;
    this.buckets.clear();
  }

  rateFor(operation: string): number {
    const base = this.settings.rates[operation] ?? DEFAULT_RATES[operation] ?? FALLBACK_RATE;
    return base * this.settings.factor;
  }

  /** Takes one token from every bucket that applies; false means the request is throttled. */
  take(scope: string, operation: string, thing?: string): boolean {
    if (!this.settings.enabled) return true;
    const now = performance.now();
    const account = this.bucket(`${scope}|${operation}`, this.rateFor(operation), now);
    const perThing =
      thing === undefined ? null : this.bucket(`${scope}|thing|${thing}`, this.settings.perThingShadowRate * this.settings.factor, now);
    if (account.tokens < 1 || (perThing && perThing.tokens < 1)) return false;
    account.tokens -= 1;
    if (perThing) perThing.tokens -= 1;
    return true;
  }

  private bucket(key: string, rate: number, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 50_000) this.prune(now);
      // Burst capacity of one second's worth (at least one request unless the rate is 0).
      const capacity = rate <= 0 ? 0 : Math.max(1, rate);
      b = { tokens: capacity, last: now, rate, capacity };
      this.buckets.set(key, b);
      return b;
    }
    b.tokens = Math.min(b.capacity, b.tokens + ((now - b.last) / 1000) * b.rate);
    b.last = now;
    return b;
  }

  /** Buckets that have refilled completely carry no state worth keeping. */
  private prune(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.last) / 1000) * b.rate >= b.capacity) this.buckets.delete(key);
    }
  }
}

export interface FaultSettings {
  /** Extra latency per AWS request, uniformly drawn from [min, max] milliseconds. */
  latencyMs: [number, number];
  /** Share of requests answered with a 500/503 of the service. */
  errorRate: number;
  /** Share of requests whose connection is dropped without an answer. */
  resetRate: number;
  /** Limit faults to these operations (e.g. ["ListThings"]); null = all. */
  operations: string[] | null;
  /** Limit faults to requests about these things (data-plane calls that name one); null = all. */
  things: string[] | null;
  seed: number;
}

export function defaultFaults(): FaultSettings {
  return { latencyMs: [0, 0], errorRate: 0, resetRate: 0, operations: null, things: null, seed: 1 };
}
