import { describe, expect, it } from 'vitest';
import { defaultRate, isThrottling, isTransient, QuotaGovernor, TokenBucket, type Clock } from './quota';

/** A clock that only moves when someone sleeps on it. */
class FakeClock implements Clock {
  t = 0;
  slept: number[] = [];
  now() {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal) {
    if (signal?.aborted) throw signal.reason;
    this.slept.push(ms);
    this.t += ms;
  }
}

const awsError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('TokenBucket', () => {
  it('allows a burst of one second, then paces every caller to its own slot', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, clock);
    const waits = Array.from({ length: 13 }, () => bucket.reserve());
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(waits.slice(10).map((w) => Math.round(w))).toEqual([100, 200, 300]);
  });

  it('refills with time, never above its capacity', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(5, clock);
    for (let i = 0; i < 5; i++) bucket.reserve();
    clock.t += 60_000;
    const waits = Array.from({ length: 6 }, () => bucket.reserve());
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
    expect(Math.round(waits[5]!)).toBe(200);
  });

  it('halves its rate on throttling down to a floor, and climbs back additively to its target', () => {
    const bucket = new TokenBucket(20, new FakeClock());
    bucket.onThrottled();
    expect(bucket.rate).toBe(10);
    for (let i = 0; i < 20; i++) bucket.onThrottled();
    expect(bucket.rate).toBe(1);
    bucket.onSuccess();
    expect(bucket.rate).toBe(2);
    for (let i = 0; i < 100; i++) bucket.onSuccess();
    expect(bucket.rate).toBe(20);
  });

  it('drops its burst allowance when throttled, so the slower rate applies at once', () => {
    const bucket = new TokenBucket(10, new FakeClock());
    expect(bucket.reserve()).toBe(0);
    bucket.onThrottled();
    expect(Math.round(bucket.reserve())).toBe(200);
  });
});

describe('QuotaGovernor', () => {
  const governor = (clock: FakeClock, extra: Partial<ConstructorParameters<typeof QuotaGovernor>[0]> = {}) =>
    new QuotaGovernor({ region: 'us-east-1', budget: 1, clock, random: () => 1, ...extra });

  it('budgets a share of the AWS default rates per API', () => {
    const g = new QuotaGovernor({ region: 'us-east-1', budget: 0.5 });
    expect(g.bucket('SearchIndex').targetRate).toBe(7.5);
    expect(g.bucket('ListThings').targetRate).toBe(5);
    expect(g.bucket('GetThingShadow').targetRate).toBe(2000);
    expect(new QuotaGovernor({ region: 'eu-central-1', budget: 1 }).bucket('GetThingShadow').targetRate).toBe(400);
    expect(new QuotaGovernor({ region: 'us-east-1', budget: 1, rates: { SearchIndex: 2 } }).bucket('SearchIndex').targetRate).toBe(2);
    expect(defaultRate('SomethingNew', 'us-east-1')).toBe(10);
  });

  it('takes a token of the shared budget for every attempt, retries included, at the budgeted rate', async () => {
    const clock = new FakeClock();
    const taken: [string, number][] = [];
    const g = governor(clock, { budget: 0.5, shared: { take: async (api, rate) => void taken.push([api, rate]) } });
    let attempts = 0;
    await g.call('ListThings', async () => {
      if (++attempts === 1) throw awsError('ThrottlingException', 400);
      return 'ok';
    });
    expect(taken).toEqual([
      ['ListThings', 5],
      ['ListThings', 5],
    ]);
  });

  it('paces calls at the budgeted rate', async () => {
    const clock = new FakeClock();
    const g = governor(clock);
    for (let i = 0; i < 30; i++) await g.call('SearchIndex', async () => i);
    // 15 in the first second's burst, the next 15 at 15/s.
    expect(clock.t).toBeCloseTo(1000, 0);
    expect(g.snapshot().SearchIndex).toEqual({ calls: 30, throttled: 0, errors: 0, retries: 0, ratePerSecond: 15 });
  });

  it('retries throttling for as long as it takes, slows down, and counts every throttle', async () => {
    const clock = new FakeClock();
    const g = governor(clock);
    let attempts = 0;
    const result = await g.call('ListThings', async () => {
      if (++attempts <= 25) throw awsError('ThrottlingException', 400);
      return 'page';
    });
    expect(result).toBe('page');
    expect(g.snapshot().ListThings).toMatchObject({ calls: 26, throttled: 25, retries: 25 });
    expect(g.totals()).toEqual({ calls: 26, throttled: 25, retries: 25 });
    expect(g.bucket('ListThings').rate).toBeLessThan(10);
  });

  it('retries 5xx and dropped connections a bounded number of times', async () => {
    const clock = new FakeClock();
    const g = governor(clock, { retry: { maxTransientAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 } });
    let attempts = 0;
    const flaky = await g.call('GetThingShadow', async () => {
      attempts++;
      if (attempts === 1) throw awsError('ServiceUnavailableException', 503);
      if (attempts === 2) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return 'ok';
    });
    expect(flaky).toBe('ok');
    const failing = g.call('ListJobs', async () => {
      throw awsError('InternalFailureException', 500);
    });
    await expect(failing).rejects.toMatchObject({ name: 'InternalFailureException' });
    expect(g.snapshot().ListJobs).toMatchObject({ calls: 4, errors: 4, retries: 3 });
    // Exponential, capped backoff between attempts (random() = 1 takes the bound).
    expect(clock.slept.slice(-3)).toEqual([200, 400, 800]);
  });

  it('surfaces other errors at once', async () => {
    const g = governor(new FakeClock());
    await expect(g.call('GetThingShadow', async () => Promise.reject(awsError('ResourceNotFoundException', 404)))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(g.call('ListThings', async () => Promise.reject(awsError('UnrecognizedClientException', 403)))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    expect(g.totals()).toEqual({ calls: 2, throttled: 0, retries: 0 });
  });

  it('stops waiting when the run is aborted', async () => {
    const controller = new AbortController();
    const g = governor(new FakeClock(), { signal: controller.signal });
    const reason = Object.assign(new Error('the worker is shutting down'), { name: 'AbortError' });
    const call = g.call('ListThings', async () => {
      controller.abort(reason);
      throw awsError('ThrottlingException', 400);
    });
    await expect(call).rejects.toBe(reason);
  });
});

describe('error classes', () => {
  it('recognises throttling by name, whatever the status', () => {
    expect(isThrottling(awsError('ThrottlingException', 400))).toBe(true);
    expect(isThrottling(awsError('ThrottlingException', 429))).toBe(true);
    expect(isThrottling(awsError('BadRequest', 429))).toBe(false);
  });

  it('treats 5xx, timeouts and network resets as transient, not 4xx or aborts', () => {
    expect(isTransient(awsError('InternalFailureException', 500))).toBe(true);
    expect(isTransient(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(awsError('InvalidRequestException', 400))).toBe(false);
    expect(isTransient(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe(false);
  });
});
