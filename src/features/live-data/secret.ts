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

/** How long the secret a rotation replaced stays valid: time for rules and messages in flight to switch. */
export const INGEST_SECRET_GRACE_MINUTES = 10;

const ZERO_HASH = Buffer.alloc(32);

/** Constant-time comparison of the presented secret's hash with the stored one (equal lengths by construction). */
export function ingestSecretMatches(presented: string | null, storedHash: Buffer | null): boolean {
  return ingestSecretMatchesAny(presented, [storedHash]);
}

/**
 * True when the presented secret matches one of the stored hashes (current, and previous during a
 * rotation's grace period). Every hash is compared, matched or not and present or not, so the
 * answer's timing does not tell which one matched or whether a previous secret exists.
 */
export function ingestSecretMatchesAny(presented: string | null, storedHashes: ReadonlyArray<Buffer | null>): boolean {
  const usable = presented !== null && presented.length > 0 && presented.length <= 256;
  const hash = hashIngestSecret(usable ? presented : '');
  let matched = false;
  for (const stored of storedHashes) {
    const valid = stored !== null && stored.length === 32;
    const equal = timingSafeEqual(hash, valid ? stored : ZERO_HASH);
    matched = (equal && valid) || matched;
  }
  return usable && matched;
}
