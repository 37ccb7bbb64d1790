import { describe, expect, it } from 'vitest';
import { hashIngestSecret, ingestSecretMatches, newIngestSecret } from './secret';

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
});
