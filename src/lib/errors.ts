/** Expected failures a user can act on; anything else is a bug and surfaces as INTERNAL. */
export type ErrorCode =
  | 'VALIDATION'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION'
  | 'RATE_LIMITED'
  | 'INTERNAL';

export type FieldErrors = Record<string, string[] | undefined>;

export interface ActionError {
  code: ErrorCode;
  message: string;
  fieldErrors?: FieldErrors;
}

export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: Exclude<ErrorCode, 'INTERNAL'>,
    message: string,
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
  }
}

const KNOWN_CODES = new Set<string>(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PRECONDITION']);

interface PgErrorLike {
  code?: string;
  hint?: string;
  message?: string;
  constraint_name?: string;
}

/**
 * Maps database errors that carry meaning for the user: our SQL functions raise P0001 with the
 * code in HINT; RLS refusals are 42501; unique violations are 23505.
 */
export function fromDatabaseError(error: unknown): AppError | null {
  if (typeof error !== 'object' || error === null) return null;
  const pg = error as PgErrorLike;
  if (pg.code === 'P0001' && pg.hint && KNOWN_CODES.has(pg.hint)) {
    return new AppError(pg.hint as Exclude<ErrorCode, 'INTERNAL'>, pg.message ?? 'Request refused.');
  }
  if (pg.code === '42501') return new AppError('FORBIDDEN', 'You do not have permission to do that.');
  if (pg.code === '23505') return new AppError('CONFLICT', 'That already exists.');
  return null;
}
