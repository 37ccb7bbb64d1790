import { describeAwsError } from '@/lib/aws/clients';
import { VaultError } from '@/lib/vault';
import { isThrottling, isTransient } from '@/features/integrations/runtime/quota';

/**
 * How a sync failure reads and what follows from it. Messages are the AWS error name and message
 * (which carry no secrets) or a sentence of ours; anything unexpected is logged, not shown.
 */

/** The caller is not who it claims to be, or its credentials expired: the whole run is affected. */
export const AUTH_ERROR_NAMES = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'UnauthorizedException',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
]);

/** The credentials work but lack a permission. */
export const PERMISSION_ERROR_NAMES = new Set(['AccessDeniedException', 'AccessDenied', 'ForbiddenException']);

/** Error codes of failed runs that count towards pausing the integration. */
export const CREDENTIAL_ERROR_CODES = [...AUTH_ERROR_NAMES, ...PERMISSION_ERROR_NAMES, 'CredentialsUnreadable'];

export type FailureKind = 'credentials' | 'transient' | 'cancelled' | 'lease' | 'aws' | 'internal';

export interface SyncFailure {
  kind: FailureKind;
  code: string;
  message: string;
}

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor() {
    super('Another worker took this sync over after it stopped sending heartbeats; this worker stopped writing.');
  }
}

/** The abort reason for stopping a run on purpose (shutdown, a time budget); recorded as cancelled. */
export function stopRequest(why: string): Error {
  const error = new Error(why);
  error.name = 'AbortError';
  return error;
}

const errorName = (error: unknown) => (error as { name?: string } | null)?.name ?? '';

export function isAuthError(error: unknown): boolean {
  return AUTH_ERROR_NAMES.has(errorName(error));
}

export function isPermissionError(error: unknown): boolean {
  return PERMISSION_ERROR_NAMES.has(errorName(error));
}

export function describeFailure(error: unknown): SyncFailure {
  if (error instanceof LeaseLostError) return { kind: 'lease', code: 'LeaseLost', message: error.message };
  if (errorName(error) === 'AbortError') {
    return { kind: 'cancelled', code: 'Cancelled', message: `The sync was stopped (${(error as Error).message}); what it had written was kept and nothing was removed.` };
  }
  if (error instanceof VaultError) {
    return { kind: 'credentials', code: 'CredentialsUnreadable', message: `The stored credentials could not be decrypted (${error.code}). Enter them again.` };
  }
  const hasAwsShape = typeof error === 'object' && error !== null && '$metadata' in error;
  if (isAuthError(error) || isPermissionError(error)) {
    const e = describeAwsError(error);
    return { kind: 'credentials', code: e.name, message: `AWS rejected the credentials: ${e.name}: ${e.message}` };
  }
  if (hasAwsShape || isTransient(error) || isThrottling(error)) {
    const e = describeAwsError(error);
    const kind = isTransient(error) || isThrottling(error) ? 'transient' : 'aws';
    return { kind, code: e.name, message: `${e.name}: ${e.message}` };
  }
  return { kind: 'internal', code: 'InternalError', message: 'The sync failed on our side; the worker log has the details.' };
}
