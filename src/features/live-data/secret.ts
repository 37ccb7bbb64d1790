import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Header the rule's HTTP action sends the ingest secret in (a custom header of the action). */
export const INGEST_SECRET_HEADER = 'x-fleetline-ingest-secret';

export interface NewSecret {
  /** Shown once to the admin and put into the rule's header; never stored. */
  secret: string;
  hash: Buffer;
  hint: string;
}

/** 256 random bits: a plain SHA-256 at rest is enough (nothing to brute-force, unlike a password). */
export function newIngestSecret(): NewSecret {
  const secret = `fli_${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashIngestSecret(secret), hint: `…${secret.slice(-4)}` };
}

export function hashIngestSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison of the presented secret's hash with the stored one (equal lengths by construction). */
export function ingestSecretMatches(presented: string | null, storedHash: Buffer | null): boolean {
  if (presented === null || presented.length === 0 || presented.length > 256 || storedHash === null || storedHash.length !== 32) return false;
  return timingSafeEqual(hashIngestSecret(presented), storedHash);
}
