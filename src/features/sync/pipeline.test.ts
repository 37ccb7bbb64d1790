import { describe, expect, it } from 'vitest';
import { createLimiter, mapLimit, readAhead } from './pipeline';

describe('mapLimit', () => {
  it('keeps the input order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
    expect(await mapLimit([], 4, async (n: number) => n)).toEqual([]);
  });
});

describe('readAhead', () => {
  it('fetches ahead of the consumer, yields in order, and surfaces a failure where it happened', async () => {
    const pulled: number[] = [];
    async function* source() {
      for (let i = 1; i <= 4; i++) {
        pulled.push(i);
        if (i === 4) throw new Error('page 4 failed');
        yield i;
      }
    }
    const seen: number[] = [];
    const consume = async () => {
      for await (const page of readAhead(source(), 1)) {
        seen.push(page);
        if (page === 1) expect(pulled).toEqual([1, 2]);
      }
    };
    await expect(consume()).rejects.toThrow('page 4 failed');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const page of readAhead(source(), 2)) if (page === 1) break;
    expect(closed).toBe(true);
  });
});

describe('createLimiter', () => {
  it('runs at most `limit` calls across callers, in arrival order, and frees a slot on failure', async () => {
    const run = createLimiter(2);
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const gates = new Map<number, () => void>();
    const task = (n: number) =>
      run(async () => {
        started.push(n);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((resolve) => gates.set(n, resolve));
        inFlight--;
        if (n === 1) throw new Error('one failed');
        return n;
      });
    const results = [1, 2, 3, 4, 5].map((n) => task(n).catch((e: Error) => e.message));
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    expect(started).toEqual([1, 2]);
    gates.get(1)!();
    await settle();
    expect(started).toEqual([1, 2, 3]);
    // A newcomer queues behind the waiters instead of taking the slot being handed over.
    const late = task(6);
    gates.get(2)!();
    await settle();
    expect(started).toEqual([1, 2, 3, 4]);
    for (const n of [3, 4]) gates.get(n)!();
    await settle();
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
    for (const n of [5, 6]) gates.get(n)!();
    expect(await Promise.all([...results, late])).toEqual(['one failed', 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
  });
});
