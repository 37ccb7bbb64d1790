/** Small async helpers that keep AWS reads and database writes overlapping. */

/** Maps with at most `limit` calls in flight, keeping the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  return results;
}

/**
 * Keeps `depth` items in flight ahead of the consumer (0 = none), so the next page is fetched from
 * AWS while the current one is written. Errors surface in order, when the consumer reaches them.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth = 1): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Promise<IteratorResult<T>>[] = [];
  const pull = () => {
    const p = iterator.next();
    p.catch(() => undefined); // observed when awaited below; avoids an unhandled rejection meanwhile
    pending.push(p);
  };
  let finished = false;
  try {
    for (;;) {
      if (pending.length === 0) pull();
      const result = await pending.shift()!;
      if (result.done) {
        finished = true;
        return;
      }
      while (pending.length < depth) pull();
      yield result.value;
    }
  } finally {
    // An async generator runs queued next() calls in order; let them settle, then close it.
    if (!finished) {
      await Promise.allSettled(pending);
      await iterator.return?.(undefined);
    }
  }
}

/** A FIFO concurrency limit shared by many callers: `run` starts `fn` once fewer than `limit` are running. */
export function createLimiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  const max = Math.max(1, limit);
  let running = 0;
  const waiting: (() => void)[] = [];
  // A finishing call hands its slot straight to the next waiter, so no newcomer can slip in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async (fn) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      release();
    }
  };
}
