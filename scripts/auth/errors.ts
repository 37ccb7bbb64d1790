/** GoTrue error codes this server emits (subset of supabase/auth `apierrors/errorcode.go`). */
export type AuthErrorCode =
  | 'bad_json'
  | 'bad_jwt'
  | 'email_exists'
  | 'email_not_confirmed'
  | 'invalid_credentials'
  | 'method_not_allowed'
  | 'no_authorization'
  | 'not_admin'
  | 'not_found'
  | 'phone_provider_disabled'
  | 'refresh_token_already_used'
  | 'refresh_token_not_found'
  | 'request_entity_too_large'
  | 'same_password'
  | 'session_expired'
  | 'session_not_found'
  | 'unexpected_failure'
  | 'user_already_exists'
  | 'user_banned'
  | 'user_not_found'
  | 'validation_failed'
  | 'weak_password';

/** An expected failure, answered as GoTrue would: status + code + message (+ extra body fields). */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: AuthErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/**
 * Body that satisfies both auth-js branches: `code` (string) is read when the response carries
 * `X-Supabase-Api-Version: 2024-01-01`, `error_code`/`msg` by older clients.
 */
export function errorBody(error: AuthError): Record<string, unknown> {
  return { code: error.code, error_code: error.code, msg: error.message, message: error.message, ...error.extra };
}

export const badRequest = (code: AuthErrorCode, message: string) => new AuthError(400, code, message);
export const unauthorized = (code: AuthErrorCode, message: string) => new AuthError(401, code, message);
export const forbidden = (code: AuthErrorCode, message: string) => new AuthError(403, code, message);
export const notFound = (code: AuthErrorCode, message: string) => new AuthError(404, code, message);
export const unprocessable = (code: AuthErrorCode, message: string) => new AuthError(422, code, message);
export const validationFailed = (message: string) => badRequest('validation_failed', message);
