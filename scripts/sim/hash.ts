// Small, fast, deterministic hashing: every simulated value derives from (seed, thing, time slot).

/** Finalizer of a 32-bit avalanche hash (lowbias32). */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function fold(h: number, n: number): number {
  // Numbers above 2^32 (e.g. minute indexes far in the future) keep their high bits.
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  return mix32(mix32(h ^ lo) ^ hi);
}

export function hash2(a: number, b: number): number {
  return fold(fold(0x9e3779b9, a), b);
}

export function hash3(a: number, b: number, c: number): number {
  return fold(fold(fold(0x9e3779b9, a), b), c);
}

export function hash4(a: number, b: number, c: number, d: number): number {
  return fold(fold(fold(fold(0x9e3779b9, a), b), c), d);
}

/** Maps a 32-bit hash to [0, 1). */
export function unit(h: number): number {
  return h / 4294967296;
}

/** FNV-1a over UTF-16 code units; stable across runs and platforms. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h >>> 0);
}

/** Seeded PRNG (mulberry32) for sequences where order matters, such as fault injection. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks an index from cumulative weights with a value in [0, 1). */
export function pickWeighted(weights: readonly number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i] ?? 0;
    if (u < acc) return i;
  }
  return weights.length - 1;
}
