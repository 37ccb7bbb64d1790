import type { JWTPayload } from 'jose';
import { ADMIN_ROLES, NIL_UUID, UUID_PATTERN, type AuthContext } from './context';
import { badRequest, forbidden, unauthorized } from './errors';
import type { AuthRequest } from './http';
import { sessionExists } from './sessions';
import { verifyJwt } from './tokens';
import { findUserById, isBanned, type UserRow } from './users';

export interface Authenticated {
  user: UserRow;
  claims: JWTPayload;
  sessionId: string | null;
}

function bearer(req: AuthRequest): string {
  const match = /^bearer (\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) throw unauthorized('no_authorization', 'This endpoint requires a valid Bearer token');
  return match[1];
}

function claimedSession(claims: JWTPayload): string | null {
  const id = claims.session_id;
  return typeof id === 'string' && UUID_PATTERN.test(id) && id !== NIL_UUID ? id : null;
}

/**
 * GoTrue's `requireAuthentication`: a valid JWT whose `sub` is an existing user and whose
 * `session_id` (if any) is still a live session — so a signed-out token is refused here even
 * though its signature stays valid until `exp`.
 */
export async function requireUser(ctx: AuthContext, req: AuthRequest): Promise<Authenticated> {
  const claims = await verifyJwt(ctx.keys, bearer(req));
  if (typeof claims.sub !== 'string' || claims.sub === '') throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
  if (!UUID_PATTERN.test(claims.sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
  const user = await findUserById(ctx.sql, claims.sub);
  if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
  const sessionId = claimedSession(claims);
  if (sessionId && !(await sessionExists(ctx.sql, sessionId))) {
    throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
  }
  if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
  return { user, claims, sessionId };
}

/** GoTrue's `requireAdminCredentials`: a JWT whose role is an admin role (the service key). */
export async function requireAdmin(ctx: AuthContext, req: AuthRequest): Promise<JWTPayload> {
  const claims = await verifyJwt(ctx.keys, bearer(req));
  if (typeof claims.role !== 'string' || !ADMIN_ROLES.includes(claims.role)) throw forbidden('not_admin', 'User not allowed');
  const sessionId = claimedSession(claims);
  if (sessionId && !(await sessionExists(ctx.sql, sessionId))) {
    throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
  }
  return claims;
}

/** `aud` of a user token must be the server's audience (GoTrue's check in `/user`). */
export function assertAudience(claims: JWTPayload, audience: string): void {
  const aud = claims.aud;
  const ok = typeof aud === 'string' ? aud === audience : Array.isArray(aud) && aud.includes(audience);
  if (!ok) throw badRequest('validation_failed', "Token audience doesn't match request audience");
}
