import { describe, expect, it } from 'vitest';
import type { Clock } from './quota';
import { BorrowedTokens, chunkSize, dueTimes, type SharedBudgetOptions } from './shared-budget';

/** A clock that only moves when someone sleeps on it. */
class FakeClock implements Clock {
  t = 0;
  now() {
    return this.t;
  }
  async sleep(ms: number) {
    this.t += ms;
  }
}

/** public.lend_aws_tokens in memory: a bucket of one second's burst that lends ahead. */
function remoteBucket(clock: FakeClock, rate: number) {
  let tokens = Math.max(1, rate);
  let last = clock.now();
  const loans: number[] = [];
  return {
    loans,
    lend: async (count: number) => {
      const now = clock.now();
      tokens = Math.min(Math.max(1, rate), tokens + ((now - last) / 1000) * rate);
      last = now;
      const before = tokens;
      tokens -= count;
      loans.push(count);
      return before;
    },
  };
}

const options = (clock: Clock): SharedBudgetOptions => ({ chunkSeconds: 0.1, maxChunk: 400, staleMs: 1_000, clock });

describe('shared budget chunks', () => {
  it('borrows about a tenth of a second of the rate, at least one token and at most 400', () => {
    expect(chunkSize(4000)).toBe(400);
    expect(chunkSize(100)).toBe(10);
    expect(chunkSize(10)).toBe(1);
    expect(chunkSize(0.5)).toBe(1);
  });

  it('spreads a loan that goes into debt over the rate', () => {
    expect(dueTimes(1_000, 3, 5, 10)).toEqual([1_000, 1_000, 1_000, 1_100, 1_200]);
    expect(dueTimes(0, -2, 2, 4)).toEqual([750, 1_000]);
  });
});

describe('BorrowedTokens', () => {
  it('keeps two processes on one bucket within the rate together', async () => {
    const clock = new FakeClock();
    const rate = 50;
    const remote = remoteBucket(clock, rate);
    const a = new BorrowedTokens(remote.lend, rate, options(clock));
    const b = new BorrowedTokens(remote.lend, rate, options(clock));
    const sent: number[] = [];
    for (let i = 0; i < 400; i++) {
      await (i % 3 === 0 ? a : b).take();
      sent.push(clock.now());
    }
    // Over any second: at most one second's rate plus the one-second burst.
    for (const start of sent) expect(sent.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(2 * rate);
    // 400 requests at 50/s after a burst of 50 take about 7 s, not half of it (two processes each on their own budget).
    expect(sent.at(-1)!).toBeGreaterThanOrEqual(((400 - rate - 2 * chunkSize(rate)) / rate) * 1000);
  });

  it('makes concurrent callers share one loan', async () => {
    const clock = new FakeClock();
    const remote = remoteBucket(clock, 100);
    const pool = new BorrowedTokens(remote.lend, 100, options(clock));
    await Promise.all(Array.from({ length: 4 }, () => pool.take()));
    expect(remote.loans).toEqual([10]);
  });

  it('borrows the next chunk in the background once half of the current one is used', async () => {
    const clock = new FakeClock();
    const remote = remoteBucket(clock, 100);
    const pool = new BorrowedTokens(remote.lend, 100, options(clock));
    for (let i = 0; i < 5; i++) await pool.take();
    expect(remote.loans).toEqual([10, 10]);
    for (let i = 0; i < 10; i++) await pool.take();
    expect(remote.loans).toEqual([10, 10, 10]);
  });

  it('drops borrowed tokens left unused well past their time, so a slowed process cannot burst later', async () => {
    const clock = new FakeClock();
    const remote = remoteBucket(clock, 100);
    const pool = new BorrowedTokens(remote.lend, 100, options(clock));
    await pool.take();
    clock.t += 5_000;
    await pool.take();
    expect(remote.loans).toEqual([10, 10]);
  });

  it('stops waiting when its signal aborts', async () => {
    const clock = new FakeClock();
    const pool = new BorrowedTokens(remoteBucket(clock, 1).lend, 1, options(clock));
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    await expect(pool.take(controller.signal)).rejects.toThrow('stopped');
  });
});
