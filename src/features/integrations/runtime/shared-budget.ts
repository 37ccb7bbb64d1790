import { LRUCache } from 'lru-cache';
import type { Db } from './integration';
import { abortError, realClock, type Clock } from './quota';

/**
 * The integration's quota budget across processes: every process borrows tokens from one Postgres
 * bucket per (integration, API) (public.lend_aws_tokens) in small chunks, about a tenth of a second's
 * worth, so a sync sending thousands of shadow reads a second makes ~10 round trips a second.
 */
export interface TokenSource {
  /** Resolves when this process may send one request of `api` (waits for its turn in the shared bucket). */
  take(api: string, ratePerSecond: number, signal?: AbortSignal): Promise<void>;
}

export interface SharedBudgetOptions {
  /** Seconds of the rate borrowed at once. */
  chunkSeconds: number;
  maxChunk: number;
  /** A borrowed token not used this long after it was due is dropped, so a slowed process cannot burst later. */
  staleMs: number;
  clock: Clock;
}

const DEFAULTS: SharedBudgetOptions = { chunkSeconds: 0.1, maxChunk: 400, staleMs: 1_000, clock: realClock };

/** The chunk a loan asks for at this rate. */
export function chunkSize(ratePerSecond: number, options: Pick<SharedBudgetOptions, 'chunkSeconds' | 'maxChunk'> = DEFAULTS): number {
  return Math.max(1, Math.min(options.maxChunk, Math.floor(ratePerSecond * options.chunkSeconds)));
}

/** When each token of a loan is due (clock ms), given the tokens the bucket held before it: token k at (k - before) / rate. */
export function dueTimes(now: number, before: number, count: number, ratePerSecond: number): number[] {
  const out = new Array<number>(count);
  for (let k = 1; k <= count; k++) out[k - 1] = now + Math.max(0, ((k - before) / ratePerSecond) * 1000);
  return out;
}

type Lend = (count: number) => Promise<number>;

/** The tokens this process holds of one bucket; concurrent callers share one loan in flight. */
export class BorrowedTokens {
  private due: number[] = [];
  private next = 0;
  private loan: Promise<void> | null = null;

  constructor(
    private readonly lend: Lend,
    private readonly ratePerSecond: number,
    private readonly options: SharedBudgetOptions,
  ) {}

  async take(signal?: AbortSignal): Promise<void> {
    const { clock, staleMs } = this.options;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const now = clock.now();
      while (this.next < this.due.length && this.due[this.next]! < now - staleMs) this.next++;
      if (this.next < this.due.length) {
        const at = this.due[this.next++]!;
        // Borrow the next chunk while this one lasts, so a busy caller never waits on the database.
        if (this.due.length - this.next <= this.prefetchAt && !this.loan) {
          this.loan = this.borrow()
            .catch(() => {}) // a failed prefetch is retried by the next caller that finds no tokens
            .finally(() => (this.loan = null));
        }
        if (at > now) await clock.sleep(at - now, signal);
        return;
      }
      this.loan ??= this.borrow().finally(() => (this.loan = null));
      await this.loan;
    }
  }

  private get prefetchAt(): number {
    return Math.floor(chunkSize(this.ratePerSecond, this.options) / 2);
  }

  private async borrow(): Promise<void> {
    const count = chunkSize(this.ratePerSecond, this.options);
    const before = await this.lend(count);
    const fresh = dueTimes(this.options.clock.now(), before, count, this.ratePerSecond);
    const left = this.due.slice(this.next);
    this.due = left.length === 0 ? fresh : left.concat(fresh).sort((a, b) => a - b);
    this.next = 0;
  }
}

/** One per process and database: pools of borrowed tokens per (integration, API, rate). */
export class SharedBudget {
  private readonly pools = new LRUCache<string, BorrowedTokens>({ max: 10_000, ttl: 10 * 60_000 });
  private readonly options: SharedBudgetOptions;

  constructor(
    private readonly db: Db,
    options: Partial<SharedBudgetOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  forIntegration(integrationId: string): TokenSource {
    return {
      take: (api, ratePerSecond, signal) => {
        const key = `${integrationId}\u0000${api}\u0000${ratePerSecond}`;
        let pool = this.pools.get(key);
        if (!pool) {
          pool = new BorrowedTokens((count) => this.lendTokens(integrationId, api, ratePerSecond, count), ratePerSecond, this.options);
          this.pools.set(key, pool);
        }
        return pool.take(signal);
      },
    };
  }

  private async lendTokens(integrationId: string, api: string, ratePerSecond: number, count: number): Promise<number> {
    const [row] = await this.db((tx) => tx<{ before: number }[]>`
      select public.lend_aws_tokens(${integrationId}, ${api}, ${ratePerSecond}, ${count}) as before`);
    return Number(row!.before);
  }
}

const budgets = new WeakMap<Db, SharedBudget>();

/** The process's shared budget on this database (one set of borrowed tokens per process). */
export function sharedBudget(db: Db): SharedBudget {
  let budget = budgets.get(db);
  if (!budget) {
    budget = new SharedBudget(db);
    budgets.set(db, budget);
  }
  return budget;
}
