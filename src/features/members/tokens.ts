import { createHash, randomBytes } from 'node:crypto';

/** A fresh invite token; only its SHA-256 is stored, so a database leak reveals no usable link. */
export function newInviteToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashInviteToken(token) };
}

export function hashInviteToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
