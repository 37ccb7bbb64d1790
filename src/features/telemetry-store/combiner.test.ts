import { describe, expect, it } from 'vitest';
import type { Tx } from '@/lib/db';
import { createWriteCombiner } from './combiner';
import type { TelemetryPoint } from './service';

/**
 * The write combiner alone, with a stand-in for the flush statement: how callers are grouped into
 * flushes (bounded by points, whole callers only), how many flushes overlap, and that a failed flush
 * fails exactly its callers. The real statement is covered against Postgres in service.int.test.ts.
 */
const ORG = '00000000-0000-4000-8000-000000000001';
const INTEGRATION = '00000000-0000-4000-8000-000000000002';
const DEVICE = '00000000-0000-4000-8000-000000000003';

function points(n: number, offset = 0): TelemetryPoint[] {
  return Array.from({ length: n }, (_, i) => ({ orgId: ORG, integrationId: INTEGRATION, deviceId: DEVICE, metric: 'temperature', ts: new Date(1_700_000_000_000 + (offset + i) * 1000), value: i }));
}

/** A flush statement that records its groups and finishes when told to. */
function recorder() {
  const flushes: { sizes: number[]; finish: (error?: Error) => void }[] = [];
  let open = 0;
  let maxOpen = 0;
  const writeGroups = (_tx: Tx, groups: readonly (readonly TelemetryPoint[])[]) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    return new Promise<{ written: number[] }>((resolve, reject) => {
      flushes.push({
        sizes: groups.map((g) => g.length),
        finish: (error) => {
          open--;
          if (error) reject(error);
          else resolve({ written: groups.map((g) => g.length) });
        },
      });
    });
  };
  const db = <T>(fn: (tx: Tx) => Promise<T>) => fn({} as Tx);
  return { flushes, writeGroups, db, maxOpen: () => maxOpen };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('createWriteCombiner', () => {
  it('gathers concurrent callers into one flush, and each caller learns its own count after the flush', async () => {
    const r = recorder();
    const combiner = createWriteCombiner({ db: r.db, writeGroups: r.writeGroups, maxWaitMs: 2, maxPoints: 1_000, maxInFlight: 1 });
    const results = [combiner.write(points(3)), combiner.write(points(5, 10)), combiner.write(points(2, 20))];
    await tick();
    expect(r.flushes.map((f) => f.sizes)).toEqual([[3, 5, 2]]);
    let settled = false;
    void Promise.all(results).then(() => (settled = true));
    await tick();
    expect(settled).toBe(false); // not acknowledged before the write finished
    r.flushes[0]!.finish();
    expect(await Promise.all(results)).toEqual([{ written: 3 }, { written: 5 }, { written: 2 }]);
    expect(combiner.stats()).toEqual({ flushes: 1, batches: 3, points: 10, failedFlushes: 0 });
  });

  it('bounds a flush by points (whole callers only), keeps at most maxInFlight flushes open, and flushes what gathered meanwhile', async () => {
    const r = recorder();
    const combiner = createWriteCombiner({ db: r.db, writeGroups: r.writeGroups, maxWaitMs: 2, maxPoints: 10, maxInFlight: 2 });
    const results = [4, 4, 4, 4, 4, 4, 4].map((n, i) => combiner.write(points(n, i * 100)));
    await tick();
    // 4+4 fit in 10, a third caller would not; two flushes open, the rest waits.
    expect(r.flushes.map((f) => f.sizes)).toEqual([[4, 4], [4, 4]]);
    r.flushes[0]!.finish();
    await tick();
    expect(r.flushes.map((f) => f.sizes)).toEqual([[4, 4], [4, 4], [4, 4]]);
    r.flushes[1]!.finish();
    await tick();
    expect(r.flushes.map((f) => f.sizes)).toEqual([[4, 4], [4, 4], [4, 4], [4]]);
    r.flushes[2]!.finish();
    r.flushes[3]!.finish();
    expect((await Promise.all(results)).map((x) => x.written)).toEqual([4, 4, 4, 4, 4, 4, 4]);
    expect(r.maxOpen()).toBe(2);
    // A caller larger than the bound still goes, alone.
    const big = combiner.write(points(25, 5_000));
    await tick();
    expect(r.flushes.at(-1)!.sizes).toEqual([25]);
    r.flushes.at(-1)!.finish();
    expect(await big).toEqual({ written: 25 });
  });

  it('fails exactly the callers of a failed flush, and refuses a malformed batch without a flush', async () => {
    const r = recorder();
    const combiner = createWriteCombiner({ db: r.db, writeGroups: r.writeGroups, maxWaitMs: 2, maxPoints: 5, maxInFlight: 1 });
    const first = [combiner.write(points(2)), combiner.write(points(3, 10))];
    const later = combiner.write(points(2, 20));
    await tick();
    r.flushes[0]!.finish(new Error('database went away'));
    await expect(first[0]).rejects.toThrow('database went away');
    await expect(first[1]).rejects.toThrow('database went away');
    await tick();
    r.flushes[1]!.finish();
    expect(await later).toEqual({ written: 2 });
    const bad = { ...points(1)[0]!, value: Number.POSITIVE_INFINITY };
    await expect(combiner.write([bad])).rejects.toThrow(/finite/);
    expect(await combiner.write([])).toEqual({ written: 0 });
    expect(r.flushes).toHaveLength(2);
    expect(combiner.stats()).toMatchObject({ flushes: 2, failedFlushes: 1, batches: 3 });
  });
});
