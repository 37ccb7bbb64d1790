import bcrypt from 'bcryptjs';
import { AuthError, validationFailed } from './errors';

/** GoTrue defaults: `GOTRUE_PASSWORD_MIN_LENGTH` 6 (its floor), bcrypt's 72-byte limit. */
export const MIN_PASSWORD_LENGTH = 6;
export const MAX_PASSWORD_BYTES = 72;
const BCRYPT_COST = 10;

export interface WeakPassword {
  reasons: string[];
  message: string;
}

/** The policy failures of a password (empty when it is acceptable); lengths count bytes, as Go's len. */
export function weakPasswordReasons(password: string): WeakPassword | null {
  if (Buffer.byteLength(password) < MIN_PASSWORD_LENGTH) {
    return { reasons: ['length'], message: `Password should be at least ${MIN_PASSWORD_LENGTH} characters.` };
  }
  return null;
}

export function assertPasswordLength(password: string): void {
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    throw validationFailed(`Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`);
  }
}

/** 400 when too long, 422 `weak_password` (with `weak_password.reasons`) when too weak. */
export function checkPasswordStrength(password: string): void {
  assertPasswordLength(password);
  const weak = weakPasswordReasons(password);
  if (weak) throw new AuthError(422, 'weak_password', weak.message, { weak_password: { reasons: weak.reasons } });
}

/**
 * bcrypt, cost 10, with Go's `$2a$` prefix (bcryptjs writes `$2b$`; the two only differ for
 * passwords over 255 bytes, which are refused long before), so GoTrue could read the rows.
 */
export async function hashPassword(password: string): Promise<string> {
  const hash = await bcrypt.hash(password, BCRYPT_COST);
  return hash.startsWith('$2b$') ? `$2a$${hash.slice(4)}` : hash;
}

export function isBcryptHash(value: string): boolean {
  return /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(value);
}

let dummyHash: Promise<string> | null = null;

/** Compares in constant-ish time; a missing hash still costs one bcrypt round so timing does not reveal unknown emails. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash || !isBcryptHash(hash)) {
    dummyHash ??= hashPassword('fleetline-dummy-password');
    await bcrypt.compare(password, await dummyHash);
    return false;
  }
  return bcrypt.compare(password, hash);
}
