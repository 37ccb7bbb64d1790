import { z } from 'zod';
import { validationFailed } from './errors';

// Request bodies as auth-js sends them. Unknown keys (gotrue_meta_security, channel, …) are
// dropped; fields auth-js sends as null (PKCE params) are accepted as absent.
const metadata = z.record(z.string(), z.unknown());
const optionalString = z.string().nullish();

export const signupSchema = z.object({
  email: optionalString,
  phone: optionalString,
  password: optionalString,
  data: metadata.nullish(),
  code_challenge: optionalString,
  code_challenge_method: optionalString,
});

export const passwordGrantSchema = z.object({
  email: optionalString,
  phone: optionalString,
  password: optionalString,
});

export const refreshGrantSchema = z.object({
  refresh_token: optionalString,
});

export const updateUserSchema = z.object({
  email: optionalString,
  phone: optionalString,
  password: optionalString,
  current_password: optionalString,
  nonce: optionalString,
  data: metadata.nullish(),
  app_metadata: metadata.nullish(),
  code_challenge: optionalString,
  code_challenge_method: optionalString,
});

export const adminCreateUserSchema = z.object({
  id: z.uuid().optional(),
  aud: z.literal('authenticated').optional(),
  role: z.string().min(1).max(255).optional(),
  email: optionalString,
  phone: optionalString,
  password: optionalString,
  password_hash: optionalString,
  email_confirm: z.boolean().optional(),
  phone_confirm: z.boolean().optional(),
  user_metadata: metadata.nullish(),
  app_metadata: metadata.nullish(),
  ban_duration: optionalString,
});

export const adminUpdateUserSchema = adminCreateUserSchema.omit({ id: true });

export const adminDeleteUserSchema = z.object({
  should_soft_delete: z.boolean().optional(),
});

export const logoutScopeSchema = z.enum(['global', 'local', 'others']);

// badoux/checkmail's ValidateFormat, which GoTrue's validateEmail uses.
const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** GoTrue's `validateEmail`: required, ≤255, checkmail format; returns it lower-cased. */
export function validateEmail(email: string | null | undefined): string {
  if (!email) throw validationFailed('An email address is required');
  if (email.length > 255) throw validationFailed('An email address is too long');
  if (!EMAIL_PATTERN.test(email)) throw validationFailed('Unable to validate email address: invalid format');
  return email.toLowerCase();
}

/** PKCE parameters must come together or not at all. */
export function validatePkceParams(challenge: string | null | undefined, method: string | null | undefined): void {
  if (Boolean(challenge) !== Boolean(method)) {
    throw validationFailed('PKCE flow requires code_challenge_method and code_challenge');
  }
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go `time.ParseDuration` (what GoTrue's `ban_duration` takes) → milliseconds; "none" → 0. */
export function parseBanDuration(value: string): number {
  if (value === 'none') return 0;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== value) {
    throw validationFailed('invalid format for ban duration');
  }
  return parts.reduce((total, part) => total + Number(part[1]) * (DURATION_UNITS[part[2] ?? ''] ?? 0), 0);
}
