import { randomUUID } from 'node:crypto';
import { audit } from './audit';
import { AUDIENCE, NIL_UUID, type AuthContext, type Db } from './context';
import { AuthError, badRequest, validationFailed } from './errors';
import type { AuthRequest } from './http';
import type { WeakPassword } from './passwords';
import { isWellFormedRefreshToken, newRefreshToken, signAccessToken, type AmrEntry } from './tokens';
import { findUserById, isBanned, loadIdentities, touchLastSignIn, userJson, type Json, type UserRow } from './users';

interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string | null;
  revoked: boolean | null;
  updated_at: Date | null;
  parent: string | null;
  session_id: string | null;
}

async function insertRefreshToken(db: Db, userId: string, sessionId: string, parent: string | null): Promise<string> {
  const token = newRefreshToken();
  await db`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values (${NIL_UUID}, ${token}, ${userId}, false, now(), now(), ${parent}, ${sessionId})`;
  return token;
}

/**
 * A sign-in as GoTrue records it: a session (aal1), its `password` AMR claim, a first refresh
 * token without parent, and `last_sign_in_at`.
 */
export async function createSession(db: Db, user: UserRow, req: AuthRequest): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = randomUUID();
  await db`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
    values (${sessionId}, ${user.id}, now(), now(), 'aal1', ${req.userAgent}, ${req.ip})`;
  await db`
    insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
    values (${randomUUID()}, ${sessionId}, now(), now(), 'password')
    on conflict (session_id, authentication_method) do update set updated_at = excluded.updated_at`;
  const refreshToken = await insertRefreshToken(db, user.id, sessionId, null);
  await touchLastSignIn(db, user.id);
  return { sessionId, refreshToken };
}

async function amrClaims(db: Db, sessionId: string): Promise<AmrEntry[]> {
  const rows = await db<{ authentication_method: string; updated_at: Date }[]>`
    select authentication_method, updated_at from auth.mfa_amr_claims where session_id = ${sessionId} order by updated_at desc`;
  return rows.map((row) => ({ method: row.authentication_method, timestamp: Math.floor(row.updated_at.getTime() / 1000) }));
}

/** The Session JSON (contract §2.1) for `userId`'s session, with a freshly signed access token. */
export async function tokenResponse(
  ctx: AuthContext,
  db: Db,
  userId: string,
  sessionId: string,
  refreshToken: string,
  weakPassword?: WeakPassword | null,
): Promise<Json> {
  const user = await findUserById(db, userId);
  if (!user) throw new Error('user vanished while issuing a session');
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + ctx.config.jwtExpirySeconds;
  const accessToken = await signAccessToken(ctx.keys, {
    iss: ctx.config.issuer,
    sub: user.id,
    aud: user.aud ?? AUDIENCE,
    exp,
    iat,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? '',
    aal: 'aal1',
    amr: await amrClaims(db, sessionId),
    session_id: sessionId,
    is_anonymous: user.is_anonymous,
  });
  return {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: ctx.config.jwtExpirySeconds,
    expires_at: exp,
    refresh_token: refreshToken,
    user: userJson(user, await loadIdentities(db, user.id)),
    ...(weakPassword ? { weak_password: weakPassword } : {}),
  };
}

type RefreshOutcome = { ok: true; userId: string; sessionId: string; refreshToken: string } | { ok: false; error: AuthError };

/**
 * `grant_type=refresh_token` with GoTrue's v1 rotation (contract §5.1). A revoked token that is the
 * parent of the session's active token gets that active token back; another revoked token is
 * swapped again only within the reuse interval of its rotation; otherwise every token of the
 * session is revoked and `refresh_token_already_used` is answered (committed, not rolled back).
 */
export async function refreshGrant(ctx: AuthContext, req: AuthRequest, presented: string): Promise<Json> {
  if (presented === '') throw validationFailed('refresh_token required');
  if (!isWellFormedRefreshToken(presented)) throw validationFailed('Refresh token is not valid');

  const outcome = await ctx.sql.begin(async (tx): Promise<RefreshOutcome> => {
    const [token] = await tx<RefreshTokenRow[]>`
      select id, token, user_id, revoked, updated_at, parent, session_id from auth.refresh_tokens where token = ${presented} for update`;
    if (!token) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    const user = token.user_id ? await findUserById(tx, token.user_id) : null;
    if (!user) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    if (isBanned(user)) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');
    const [session] = token.session_id
      ? await tx<{ id: string; not_after: Date | null }[]>`select id, not_after from auth.sessions where id = ${token.session_id} for update`
      : [];
    if (!session) throw badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found');
    if (session.not_after && session.not_after.getTime() < Date.now()) {
      throw badRequest('session_expired', 'Invalid Refresh Token: Session Expired');
    }

    let issued: string | null = null;
    if (token.revoked) {
      const [active] = await tx<{ token: string; parent: string | null }[]>`
        select token, parent from auth.refresh_tokens where session_id = ${session.id} and revoked = false order by id desc limit 1`;
      if (active && active.parent === token.token) {
        // The client lost the answer to its last refresh: hand the same child out again.
        issued = active.token;
      } else if (!(await reusable(tx, ctx, token))) {
        await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = ${session.id} and revoked = false`;
        await audit(tx, req, user, 'token_revoked', { reason: 'refresh_token_already_used' });
        return { ok: false, error: badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used') };
      }
    }
    if (issued === null) {
      await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${token.id}`;
      issued = await insertRefreshToken(tx, user.id, session.id, token.token);
      await touchLastSignIn(tx, user.id);
    }
    await tx`
      update auth.sessions set refreshed_at = timezone('utc', now()), updated_at = now(), user_agent = ${req.userAgent}, ip = ${req.ip}
      where id = ${session.id}`;
    await audit(tx, req, user, 'token_refreshed');
    return { ok: true, userId: user.id, sessionId: session.id, refreshToken: issued };
  });

  if (!outcome.ok) throw outcome.error;
  return tokenResponse(ctx, ctx.sql, outcome.userId, outcome.sessionId, outcome.refreshToken);
}

/**
 * A revoked token may be swapped again only if it was revoked by rotation (it has a child) and
 * within the reuse interval since. Tokens revoked together with their session stay dead; real
 * GoTrue would let them be reused for one more interval.
 */
async function reusable(db: Db, ctx: AuthContext, token: RefreshTokenRow): Promise<boolean> {
  if (!token.updated_at || Date.now() > token.updated_at.getTime() + ctx.config.refreshTokenReuseIntervalMs) return false;
  const [child] = await db`select 1 from auth.refresh_tokens where parent = ${token.token} limit 1`;
  return child !== undefined;
}

export async function sessionExists(db: Db, sessionId: string): Promise<boolean> {
  const [row] = await db`select 1 from auth.sessions where id = ${sessionId}`;
  return row !== undefined;
}

export type LogoutScope = 'global' | 'local' | 'others';

/** Deletes sessions (refresh tokens and AMR claims cascade), as GoTrue's `/logout` scopes do. */
export async function endSessions(db: Db, userId: string, sessionId: string | null, scope: LogoutScope): Promise<void> {
  if (scope === 'global' || sessionId === null) {
    await db`delete from auth.sessions where user_id = ${userId}`;
  } else if (scope === 'local') {
    await db`delete from auth.sessions where id = ${sessionId}`;
  } else {
    await db`delete from auth.sessions where user_id = ${userId} and id <> ${sessionId}`;
  }
}
