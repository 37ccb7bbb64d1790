import type { Tx } from './db';

/**
 * Runs `fn` as service_role inside the caller's transaction, then switches back, so a write only the
 * server may make (grants refuse it to `authenticated`) commits or rolls back with the user's work.
 * RLS does not apply to these statements: the caller has already checked the role and filters by
 * org_id. The role is per connection, so await every statement of `fn` and run nothing else on
 * `tx` meanwhile. (Only the server can do this: it connects as a login that may SET ROLE.)
 */
export async function asServiceWithin<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  const [row] = await tx<{ previous: string }[]>`
    select current_setting('role') as previous, set_config('role', 'service_role', true)`;
  const previous = row!.previous;
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    // A failed statement has aborted the transaction (nothing more runs on it); a thrown JS error
    // has not, and the caller may go on, so its role must come back. The original error wins.
    await tx`select set_config('role', ${previous}, true)`.catch(() => undefined);
    throw error;
  }
  await tx`select set_config('role', ${previous}, true)`;
  return result;
}
