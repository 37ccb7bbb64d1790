import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { hashIngestSecret, ingestSecretMatches, ingestSecretMatchesAny, newIngestSecret } from './secret';

// The real comparison, counted: every stored hash must go through it, whatever matches.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

describe('ingest secrets', () => {
  it('are random, stored as a SHA-256 hash with a short hint, and match only themselves', () => {
    const a = newIngestSecret();
    const b = newIngestSecret();
    expect(a.secret).not.toBe(b.secret);
    expect(a.secret).toMatch(/^fli_[A-Za-z0-9_-]{43}$/);
    expect(a.hash).toEqual(hashIngestSecret(a.secret));
    expect(a.hint).toBe(`…${a.secret.slice(-4)}`);
    expect(ingestSecretMatches(a.secret, a.hash)).toBe(true);
    expect(ingestSecretMatches(b.secret, a.hash)).toBe(false);
    expect(ingestSecretMatches('', a.hash)).toBe(false);
    expect(ingestSecretMatches(null, a.hash)).toBe(false);
    expect(ingestSecretMatches(a.secret, null)).toBe(false);
  });

  it('match the current or the previous hash during a rotation, comparing both in constant time every time', () => {
    const current = newIngestSecret();
    const previous = newIngestSecret();
    const stranger = newIngestSecret();
    const compare = vi.mocked(crypto.timingSafeEqual);
    const cases: Array<[string | null, Array<Buffer | null>, boolean]> = [
      [current.secret, [current.hash, previous.hash], true],
      [previous.secret, [current.hash, previous.hash], true],
      [stranger.secret, [current.hash, previous.hash], false],
      [previous.secret, [current.hash, null], false],
      [current.secret, [current.hash, null], true],
      [null, [current.hash, previous.hash], false],
      ['x'.repeat(257), [current.hash, previous.hash], false],
    ];
    for (const [presented, hashes, expected] of cases) {
      compare.mockClear();
      expect(ingestSecretMatchesAny(presented, hashes)).toBe(expected);
      // No early exit: one comparison per slot, even for a match in the first, an absent previous or no secret at all.
      expect(compare).toHaveBeenCalledTimes(2);
    }
  });
});
