import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import type { Logger } from 'pino';
import { z } from 'zod';
import { getSessionUser } from './auth';
import { orgScope, type OrgContext, type OrgRef, type OrgScope, type SessionUser, type UserContext } from './context';
import { asUser, type Tx } from './db';
import { AppError, fromDatabaseError, type ActionResult } from './errors';
import { requestLogger } from './request-log';
import { hasRole, type OrgRole } from './roles';

/**
 * The one action wrapper. Every server action: parses input with Zod (VALIDATION + field errors),
 * resolves the user from the verified session, resolves the org from its slug and checks the
 * role on every call, runs the handler inside asUser (RLS applies), maps expected failures to
 * codes and logs the rest as INTERNAL. Inputs are never logged or echoed (they may hold secrets).
 * Handlers that call AWS use orgOutboundAction: no transaction stays open while they wait.
 */

const orgSlugSchema = z.string().regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/);

function validationFailure(error: z.ZodError): ActionResult<never> {
  const flat = z.flattenError(error);
  return {
    ok: false,
    error: {
      code: 'VALIDATION',
      message: flat.formErrors[0] ?? 'Please correct the highlighted fields.',
      fieldErrors: flat.fieldErrors as Record<string, string[]>,
    },
  };
}

function failure(error: unknown, log: Logger, action: string): ActionResult<never> {
  unstable_rethrow(error);
  const known = error instanceof AppError ? error : fromDatabaseError(error);
  if (known) {
    log.info({ action, code: known.code }, 'action refused');
    return { ok: false, error: { code: known.code, message: known.message, fieldErrors: known.fieldErrors } };
  }
  log.error({ action, err: error }, 'action failed');
  return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side. Please try again.' } };
}

/** Resolves the org by slug for the signed-in user; non-members get NOT_FOUND, not a hint. */
export async function resolveMembership(db: Tx, slug: string): Promise<{ org: OrgRef; role: OrgRole } | null> {
  const rows = await db<{ id: string; slug: string; name: string; role: OrgRole }[]>`
    select o.id, o.slug, o.name, m.role
    from public.organizations o
    join public.memberships m on m.org_id = o.id and m.user_id = (select auth.uid())
    where o.slug = ${slug}`;
  const row = rows[0];
  return row ? { org: { id: row.id, slug: row.slug, name: row.name }, role: row.role } : null;
}

/** An action that needs no session (sign-in, sign-up). */
export function publicAction<S extends z.ZodType, T>(
  name: string,
  schema: S,
  handler: (ctx: { log: Logger }, input: z.infer<S>) => Promise<T>,
) {
  return async (raw: unknown): Promise<ActionResult<T>> => {
    const log = await requestLogger({ action: name });
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return validationFailure(parsed.error);
    try {
      return { ok: true, data: await handler({ log }, parsed.data) };
    } catch (error) {
      return failure(error, log, name);
    }
  };
}

/** An action for any signed-in user (creating an org, accepting an invite). */
export function userAction<S extends z.ZodType, T>(
  name: string,
  schema: S,
  handler: (ctx: UserContext, input: z.infer<S>) => Promise<T>,
) {
  return async (raw: unknown): Promise<ActionResult<T>> => {
    const log = await requestLogger({ action: name });
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return validationFailure(parsed.error);
    const user = await getSessionUser();
    if (!user) return { ok: false, error: { code: 'UNAUTHENTICATED', message: 'Your session has ended. Please sign in again.' } };
    try {
      const data = await asUser(user.claims, (db) => handler({ user, db, log: log.child({ userId: user.id }) }, parsed.data));
      return { ok: true, data };
    } catch (error) {
      return failure(error, log, name);
    }
  };
}

/** What both org wrappers do before any transaction: slug, input and session, or the failure to answer. */
type OrgActionStart<S extends z.ZodType> = { log: Logger } & (
  | { ok: false; result: ActionResult<never> }
  | { ok: true; user: SessionUser; input: z.infer<S>; slug: string }
);

async function startOrgAction<S extends z.ZodType>(name: string, schema: S, orgSlug: unknown, raw: unknown): Promise<OrgActionStart<S>> {
  const log = await requestLogger({ action: name });
  const slug = orgSlugSchema.safeParse(orgSlug);
  if (!slug.success) return { ok: false, log, result: { ok: false, error: { code: 'NOT_FOUND', message: 'Organization not found.' } } };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, log, result: validationFailure(parsed.error) };
  const user = await getSessionUser();
  if (!user) return { ok: false, log, result: { ok: false, error: { code: 'UNAUTHENTICATED', message: 'Your session has ended. Please sign in again.' } } };
  return { ok: true, log, user, input: parsed.data, slug: slug.data };
}

/** The membership with at least `minRole`, or the failure the wrapper answers. */
async function requireMembership(db: Tx, slug: string, minRole: OrgRole): Promise<{ org: OrgRef; role: OrgRole }> {
  const membership = await resolveMembership(db, slug);
  if (!membership) throw new AppError('NOT_FOUND', 'Organization not found.');
  if (!hasRole(membership.role, minRole)) {
    throw new AppError('FORBIDDEN', `This needs the ${minRole} role or higher; you are ${membership.role}.`);
  }
  return membership;
}

/** An action inside one organization, allowed from `minRole` up; the whole handler is one transaction. */
export function orgAction<S extends z.ZodType, T>(
  name: string,
  options: { schema: S; minRole: OrgRole },
  handler: (ctx: OrgContext, input: z.infer<S>) => Promise<T>,
) {
  return async (orgSlug: unknown, raw: unknown): Promise<ActionResult<T>> => {
    const start = await startOrgAction(name, options.schema, orgSlug, raw);
    if (!start.ok) return start.result;
    const { log, user } = start;
    try {
      const data = await asUser(user.claims, async (db) => {
        const membership = await requireMembership(db, start.slug, options.minRole);
        const ctxLog = log.child({ userId: user.id, orgId: membership.org.id });
        return handler({ user, db, log: ctxLog, org: membership.org, role: membership.role }, start.input);
      });
      return { ok: true, data };
    } catch (error) {
      return failure(error, log, name);
    }
  };
}

/**
 * An action inside one organization whose handler calls AWS (or any other network): membership and
 * role are checked in a short transaction that commits before the handler runs; the handler opens
 * short transactions of its own with `scope.withDb` around the call, never across it.
 */
export function orgOutboundAction<S extends z.ZodType, T>(
  name: string,
  options: { schema: S; minRole: OrgRole },
  handler: (scope: OrgScope, input: z.infer<S>) => Promise<T>,
) {
  return async (orgSlug: unknown, raw: unknown): Promise<ActionResult<T>> => {
    const start = await startOrgAction(name, options.schema, orgSlug, raw);
    if (!start.ok) return start.result;
    const { log, user } = start;
    try {
      const membership = await asUser(user.claims, (db) => requireMembership(db, start.slug, options.minRole));
      const ctxLog = log.child({ userId: user.id, orgId: membership.org.id });
      return { ok: true, data: await handler(orgScope({ user, log: ctxLog, org: membership.org, role: membership.role }), start.input) };
    } catch (error) {
      return failure(error, log, name);
    }
  };
}
