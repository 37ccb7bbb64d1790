import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { createServerClient } from '@supabase/ssr';
import { createClient, type Session, type SupabaseClient } from '@supabase/supabase-js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_DIR } from '../stack/config';
import { applyBootstrap } from '../stack/db';
import { startPostgres, type RunningPostgres } from '../stack/postgres';
import { createAuthKeys, type AuthKeys } from './keys';
import { startAuthServer, type RunningAuthServer } from './server';

// Contract tests: the real supabase-js / @supabase/ssr against the local auth server, on a
// private Postgres started for this file (no shared global setup needed).

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const PASSWORD = 'correct-horse-1';

let stateDir = '';
let pg: RunningPostgres | undefined;
let server: RunningAuthServer | undefined;
let quickServer: RunningAuthServer | undefined;
let keys: AuthKeys;
let sql: postgres.Sql;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  await mkdir(STATE_DIR, { recursive: true });
  stateDir = await mkdtemp(path.join(STATE_DIR, 'auth-test-'));
  await chmod(stateDir, 0o755); // Postgres runs as `nobody` when the tests run as root.
  pg = await startPostgres({ dataDir: path.join(stateDir, 'data'), port: await freePort() });
  await applyBootstrap(pg.url);
  keys = await createAuthKeys();
  server = await startAuthServer({ port: 0, databaseUrl: pg.url, keys });
  quickServer = await startAuthServer({ port: 0, databaseUrl: pg.url, keys, refreshTokenReuseIntervalSeconds: 0.5 });
  sql = postgres(pg.url, { max: 2, onnotice: () => {} });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await quickServer?.close();
  await sql?.end();
  await pg?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

function auth() {
  if (!server) throw new Error('auth server not started');
  return server;
}

function client(key: string = keys.anonKey, options: { baseUrl?: string; fetch?: typeof fetch } = {}): SupabaseClient {
  return createClient(options.baseUrl ?? auth().baseUrl, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(options.fetch ? { global: { fetch: options.fetch } } : {}),
  });
}

let sequence = 0;
const newEmail = () => `user-${Date.now()}-${++sequence}@example.com`;

async function signUp(email = newEmail(), data?: Record<string, unknown>) {
  const c = client();
  const { data: result, error } = await c.auth.signUp({ email, password: PASSWORD, options: data ? { data } : undefined });
  expect(error).toBeNull();
  if (!result.session || !result.user) throw new Error('sign-up returned no session');
  return { client: c, session: result.session, user: result.user, email: email.toLowerCase() };
}

async function signIn(email: string, password = PASSWORD, baseUrl?: string) {
  const c = client(keys.anonKey, { baseUrl });
  const { data, error } = await c.auth.signInWithPassword({ email, password });
  expect(error).toBeNull();
  if (!data.session) throw new Error('sign-in returned no session');
  return { client: c, session: data.session };
}

async function refreshWith(refreshToken: string, baseUrl?: string) {
  return client(keys.anonKey, { baseUrl }).auth.refreshSession({ refresh_token: refreshToken });
}

async function sessionCount(userId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from auth.sessions where user_id = ${userId}`;
  return row?.n ?? -1;
}

function rawFetch(pathname: string, init: RequestInit = {}) {
  return fetch(`${auth().url}${pathname}`, init);
}

describe('sign-up', () => {
  it('creates a confirmed user, signs it in and stores rows exactly as GoTrue does', async () => {
    const mixedCase = `Ada.${Date.now()}@Example.com`;
    const { session, user, email } = await signUp(mixedCase, { full_name: 'Ada' });

    expect(session).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(session.refresh_token).toMatch(/^[a-z2-7]{12}$/);
    expect(session.expires_at).toBe(decodeJwt(session.access_token).exp);
    expect(user).toMatchObject({
      email,
      aud: 'authenticated',
      role: 'authenticated',
      phone: '',
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { sub: user.id, email, email_verified: true, phone_verified: false, full_name: 'Ada' },
    });
    expect(user.email_confirmed_at).toBeTruthy();
    expect(user.identities).toHaveLength(1);
    expect(user.identities?.[0]).toMatchObject({ provider: 'email', id: user.id, user_id: user.id, email });

    expect(decodeProtectedHeader(session.access_token)).toEqual({ alg: 'ES256', kid: keys.kid, typ: 'JWT' });
    const claims = decodeJwt(session.access_token);
    expect(Object.keys(claims).sort()).toEqual(
      ['aal', 'amr', 'app_metadata', 'aud', 'email', 'exp', 'iat', 'is_anonymous', 'iss', 'phone', 'role', 'session_id', 'sub', 'user_metadata'],
    );
    expect(claims).toMatchObject({
      iss: auth().url,
      aud: 'authenticated',
      role: 'authenticated',
      sub: user.id,
      email,
      phone: '',
      aal: 'aal1',
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { full_name: 'Ada', email_verified: true },
    });
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);

    const [row] = await sql`select * from auth.users where id = ${user.id}`;
    expect(row).toMatchObject({
      instance_id: NIL_UUID,
      aud: 'authenticated',
      role: 'authenticated',
      email,
      confirmation_token: '',
      recovery_token: '',
      email_change_token_new: '',
      email_change_token_current: '',
      email_change: '',
      phone_change: '',
      phone_change_token: '',
      reauthentication_token: '',
      email_change_confirm_status: 0,
      phone: null,
      is_sso_user: false,
      is_anonymous: false,
      raw_app_meta_data: { provider: 'email', providers: ['email'] },
    });
    expect(row?.encrypted_password).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(row?.email_confirmed_at).toBeInstanceOf(Date);
    expect(row?.confirmed_at).toBeInstanceOf(Date);
    expect(row?.last_sign_in_at).toBeInstanceOf(Date);

    const identities = await sql`select * from auth.identities where user_id = ${user.id}`;
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({
      provider: 'email',
      provider_id: user.id,
      email,
      identity_data: { sub: user.id, email, email_verified: false, phone_verified: false, full_name: 'Ada' },
    });

    const sessions = await sql`select * from auth.sessions where user_id = ${user.id}`;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ id: claims.session_id, aal: 'aal1', not_after: null });
    const tokens = await sql`select * from auth.refresh_tokens where session_id = ${claims.session_id as string}`;
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ instance_id: NIL_UUID, token: session.refresh_token, user_id: user.id, revoked: false, parent: null });
    const amr = await sql`select authentication_method from auth.mfa_amr_claims where session_id = ${claims.session_id as string}`;
    expect(amr.map((r) => r.authentication_method)).toEqual(['password']);
  });

  it('refuses an email that is already registered with user_already_exists', async () => {
    const { email } = await signUp();
    const { data, error } = await client().auth.signUp({ email: email.toUpperCase(), password: PASSWORD });
    expect(data.session).toBeNull();
    expect(error).toMatchObject({ name: 'AuthApiError', code: 'user_already_exists', status: 422 });
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from auth.users where email = ${email}`;
    expect(row?.n).toBe(1);
  });

  it('refuses a password shorter than 6 characters with weak_password and its reasons', async () => {
    const email = newEmail();
    const { error } = await client().auth.signUp({ email, password: '12345' });
    expect(error).toMatchObject({ name: 'AuthWeakPasswordError', code: 'weak_password', status: 422, reasons: ['length'] });
    expect(await sql`select 1 from auth.users where email = ${email}`).toHaveLength(0);
  });

  it('refuses an invalid email with validation_failed', async () => {
    const { error } = await client().auth.signUp({ email: 'not-an-email', password: PASSWORD });
    expect(error).toMatchObject({ name: 'AuthApiError', code: 'validation_failed', status: 400 });
    expect(await sql`select 1 from auth.users where email = 'not-an-email'`).toHaveLength(0);
  });
});

describe('password sign-in', () => {
  it('signs in with the right password and opens a second session', async () => {
    const { user, email } = await signUp();
    const { session } = await signIn(email.toUpperCase());
    expect(session.user.id).toBe(user.id);
    expect(decodeJwt(session.access_token).sub).toBe(user.id);
    expect(await sessionCount(user.id)).toBe(2);
  });

  it('answers invalid_credentials for a wrong password and for an unknown email', async () => {
    const { email } = await signUp();
    for (const attempt of [{ email, password: 'wrong-password' }, { email: newEmail(), password: PASSWORD }]) {
      const { data, error } = await client().auth.signInWithPassword(attempt);
      expect(data.session).toBeNull();
      expect(error).toMatchObject({ name: 'AuthApiError', code: 'invalid_credentials', status: 400, message: 'Invalid login credentials' });
    }
  });
});

describe('refresh tokens', () => {
  it('rotates the refresh token within the same session, recording the parent chain', async () => {
    const { client: c, session, user } = await signUp();
    const { data, error } = await c.auth.refreshSession();
    expect(error).toBeNull();
    const next = data.session as Session;
    expect(next.refresh_token).toMatch(/^[a-z2-7]{12}$/);
    expect(next.refresh_token).not.toBe(session.refresh_token);
    expect(decodeJwt(next.access_token).session_id).toBe(decodeJwt(session.access_token).session_id);
    expect(next.user.id).toBe(user.id);

    const rows = await sql`select token, parent, revoked from auth.refresh_tokens where user_id = ${user.id} order by id`;
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { token: session.refresh_token, parent: null, revoked: true },
      { token: next.refresh_token, parent: session.refresh_token, revoked: false },
    ]);
  });

  it('answers a replay of the active token’s parent with that same active token', async () => {
    const { session } = await signUp();
    const first = await refreshWith(session.refresh_token);
    const replay = await refreshWith(session.refresh_token);
    expect(first.error).toBeNull();
    expect(replay.error).toBeNull();
    expect(replay.data.session?.refresh_token).toBe(first.data.session?.refresh_token);
  });

  it('lets an older rotated token be swapped again inside the reuse interval', async () => {
    const { session, user } = await signUp();
    const b = await refreshWith(session.refresh_token);
    const c = await refreshWith(b.data.session?.refresh_token ?? '');
    expect(c.error).toBeNull();
    const replay = await refreshWith(session.refresh_token);
    expect(replay.error).toBeNull();
    const issued = replay.data.session?.refresh_token;
    expect(issued).not.toBe(c.data.session?.refresh_token);
    const [row] = await sql`select parent from auth.refresh_tokens where token = ${issued ?? ''}`;
    expect(row?.parent).toBe(session.refresh_token);
    expect(await sessionCount(user.id)).toBe(1);
  });

  it('after the reuse interval answers refresh_token_already_used and revokes the whole session', async () => {
    const quick = quickServer?.baseUrl;
    const { email, user } = await signUp();
    const { session } = await signIn(email, PASSWORD, quick);
    const b = await refreshWith(session.refresh_token, quick);
    const rotatedAt = Date.now();
    const c = await refreshWith(b.data.session?.refresh_token ?? '', quick);
    const newest = c.data.session?.refresh_token ?? '';
    expect(c.error).toBeNull();

    await until(() => Date.now() - rotatedAt > 700); // reuse interval of quickServer: 0.5 s
    const replay = await refreshWith(session.refresh_token, quick);
    expect(replay.data.session).toBeNull();
    expect(replay.error).toMatchObject({ name: 'AuthApiError', code: 'refresh_token_already_used', status: 400 });

    const afterRevocation = await refreshWith(newest, quick);
    expect(afterRevocation.error).toMatchObject({ code: 'refresh_token_already_used', status: 400 });
    const sessionId = decodeJwt(session.access_token).session_id as string;
    const live = await sql`select token from auth.refresh_tokens where session_id = ${sessionId} and revoked = false`;
    expect(live).toHaveLength(0);
    expect(await sessionCount(user.id)).toBe(2); // the sign-up session is untouched
  });

  it('gives two concurrent refreshes with the same token the same new token (parallel SSR requests)', async () => {
    const { session, user } = await signUp();
    const [first, second] = await Promise.all([refreshWith(session.refresh_token), refreshWith(session.refresh_token)]);
    expect(first.error).toBeNull();
    expect(second.error).toBeNull();
    expect(second.data.session?.refresh_token).toBe(first.data.session?.refresh_token);
    const live = await sql`select token from auth.refresh_tokens where user_id = ${user.id} and revoked = false`;
    expect(live.map((r) => r.token)).toEqual([first.data.session?.refresh_token]);
  });

  it('answers refresh_token_not_found for an unknown token and validation_failed for a malformed one', async () => {
    expect((await refreshWith('abcdefghijkl')).error).toMatchObject({ code: 'refresh_token_not_found', status: 400 });
    expect((await refreshWith('short')).error).toMatchObject({ code: 'validation_failed', status: 400 });
  });
});

describe('user', () => {
  it('returns the signed-in user from getUser, with or without an explicit JWT', async () => {
    const { client: c, session, user } = await signUp();
    const own = await c.auth.getUser();
    expect(own.error).toBeNull();
    expect(own.data.user).toMatchObject({ id: user.id, email: user.email, identities: [expect.objectContaining({ provider: 'email' })] });
    const explicit = await client().auth.getUser(session.access_token);
    expect(explicit.data.user?.id).toBe(user.id);
  });

  it('merges metadata updates (null deletes a key) and puts them in the next access token', async () => {
    const { client: c, user } = await signUp(undefined, { theme: 'light' });
    expect((await c.auth.updateUser({ data: { theme: 'dark', team: 'ops' } })).error).toBeNull();
    const { data, error } = await c.auth.updateUser({ data: { theme: null, lang: 'en' } });
    expect(error).toBeNull();
    expect(data.user?.user_metadata).toEqual({ sub: user.id, email: user.email, email_verified: true, phone_verified: false, team: 'ops', lang: 'en' });
    const refreshed = await c.auth.refreshSession();
    expect(decodeJwt(refreshed.data.session?.access_token ?? '').user_metadata).toMatchObject({ team: 'ops', lang: 'en' });
  });

  it('changes the password and ends the user’s other sessions only', async () => {
    const { client: me, user, email } = await signUp();
    const other = await signIn(email);
    const third = await signIn(email);
    expect(await sessionCount(user.id)).toBe(3);

    const same = await me.auth.updateUser({ password: PASSWORD });
    expect(same.error).toMatchObject({ code: 'same_password', status: 422 });
    const weak = await me.auth.updateUser({ password: 'abc' });
    expect(weak.error).toMatchObject({ code: 'weak_password', status: 422 });

    const { error } = await me.auth.updateUser({ password: 'a-brand-new-secret' });
    expect(error).toBeNull();
    expect(await sessionCount(user.id)).toBe(1);
    expect((await me.auth.getUser()).error).toBeNull();
    expect((await other.client.auth.getUser()).error).toMatchObject({ name: 'AuthSessionMissingError' });
    expect((await refreshWith(third.session.refresh_token)).error).toMatchObject({ code: 'refresh_token_not_found' });

    expect((await client().auth.signInWithPassword({ email, password: PASSWORD })).error).toMatchObject({ code: 'invalid_credentials' });
    expect((await client().auth.signInWithPassword({ email, password: 'a-brand-new-secret' })).error).toBeNull();
  });

  it('applies an email change at once and refuses an address another user has', async () => {
    const { client: c, user } = await signUp();
    const taken = await signUp();
    const clash = await c.auth.updateUser({ email: taken.email });
    expect(clash.error).toMatchObject({ code: 'email_exists', status: 422 });

    const fresh = newEmail();
    const { data, error } = await c.auth.updateUser({ email: fresh });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: user.id, email: fresh, user_metadata: { email: fresh } });
    const [identity] = await sql`select email from auth.identities where user_id = ${user.id}`;
    expect(identity?.email).toBe(fresh);
    expect((await client().auth.signInWithPassword({ email: fresh, password: PASSWORD })).error).toBeNull();
  });
});

describe('sign-out scopes', () => {
  it('local ends only this session, others ends the rest, global ends all', async () => {
    const { client: d1, session: s1, user, email } = await signUp();
    const d2 = await signIn(email);
    const d3 = await signIn(email);
    const d4 = await signIn(email);
    expect(await sessionCount(user.id)).toBe(4);

    expect((await d1.auth.signOut({ scope: 'local' })).error).toBeNull();
    expect((await d1.auth.getSession()).data.session).toBeNull();
    expect((await client().auth.getUser(s1.access_token)).error).toMatchObject({ name: 'AuthSessionMissingError' });
    expect(await sessionCount(user.id)).toBe(3);

    expect((await d2.client.auth.signOut({ scope: 'others' })).error).toBeNull();
    expect((await d2.client.auth.getSession()).data.session).not.toBeNull();
    expect((await d2.client.auth.getUser()).error).toBeNull();
    expect((await d3.client.auth.getUser()).error).toMatchObject({ name: 'AuthSessionMissingError' });
    expect(await sessionCount(user.id)).toBe(1);

    const d5 = await signIn(email);
    expect((await d2.client.auth.signOut({ scope: 'global' })).error).toBeNull();
    expect(await sessionCount(user.id)).toBe(0);
    expect((await d5.client.auth.getUser()).error).toMatchObject({ name: 'AuthSessionMissingError' });
    expect((await refreshWith(d4.session.refresh_token)).error).toMatchObject({ code: 'refresh_token_not_found' });
  });

  it('answers 204 on the wire and refuses an unknown scope', async () => {
    const { session } = await signUp();
    const headers = { Authorization: `Bearer ${session.access_token}`, apikey: keys.anonKey };
    const bogus = await rawFetch('/logout?scope=everything', { method: 'POST', headers });
    expect(bogus.status).toBe(400);
    expect(await bogus.json()).toMatchObject({ code: 'validation_failed' });
    const ok = await rawFetch('/logout?scope=local', { method: 'POST', headers });
    expect(ok.status).toBe(204);
    expect(await ok.text()).toBe('');
  });
});

describe('getClaims and JWKS', () => {
  it('verifies the access token locally through the JWKS, without calling /user', async () => {
    const { email, user } = await signUp();
    const seen: string[] = [];
    const tracking: typeof fetch = (input, init) => {
      seen.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return fetch(input, init);
    };
    const c = client(keys.anonKey, { fetch: tracking });
    expect((await c.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
    seen.length = 0;
    const { data, error } = await c.auth.getClaims();
    expect(error).toBeNull();
    expect(data?.claims.sub).toBe(user.id);
    expect(data?.header).toMatchObject({ alg: 'ES256', kid: keys.kid });
    expect(seen).toContain('/auth/v1/.well-known/jwks.json');
    expect(seen).not.toContain('/auth/v1/user');
  });

  it('rejects a token whose signature or payload was tampered with, locally and on the server', async () => {
    const { session } = await signUp();
    const [header, payload, signature = ''] = session.access_token.split('.');
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const badSignature = `${header}.${payload}.${flipped}`;
    const forgedClaims = { ...decodeJwt(session.access_token), role: 'service_role' };
    const badPayload = `${header}.${Buffer.from(JSON.stringify(forgedClaims)).toString('base64url')}.${signature}`;

    for (const token of [badSignature, badPayload]) {
      const local = await client().auth.getClaims(token);
      expect(local.data).toBeNull();
      expect(local.error).toMatchObject({ name: 'AuthInvalidJwtError', message: 'Invalid JWT signature' });
      const remote = await client().auth.getUser(token);
      expect(remote.error).toMatchObject({ code: 'bad_jwt', status: 403 });
    }
  });

  it('publishes only the public ES256 key', async () => {
    const response = await rawFetch('/.well-known/jwks.json');
    expect(response.headers.get('cache-control')).toBe('public, max-age=600');
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: keys.publicJwk.x,
      y: keys.publicJwk.y,
      kid: keys.kid,
      alg: 'ES256',
      use: 'sig',
      key_ops: ['verify'],
    });
  });
});

describe('admin API', () => {
  it('creates users with the service role key; email_confirm decides email_confirmed_at', async () => {
    const admin = client(keys.serviceRoleKey);
    const confirmedEmail = newEmail();
    const confirmed = await admin.auth.admin.createUser({ email: confirmedEmail, password: PASSWORD, email_confirm: true, user_metadata: { name: 'Op' } });
    expect(confirmed.error).toBeNull();
    expect(confirmed.data.user).toMatchObject({
      email: confirmedEmail,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { name: 'Op', email_verified: true },
      identities: [expect.objectContaining({ provider: 'email', id: confirmed.data.user?.id })],
    });
    expect(confirmed.data.user?.email_confirmed_at).toBeTruthy();
    expect((await client().auth.signInWithPassword({ email: confirmedEmail, password: PASSWORD })).error).toBeNull();

    const pendingEmail = newEmail();
    const pending = await admin.auth.admin.createUser({ email: pendingEmail, password: PASSWORD });
    expect(pending.error).toBeNull();
    expect(pending.data.user?.email_confirmed_at).toBeUndefined();
    const [row] = await sql`select email_confirmed_at, encrypted_password, confirmation_token from auth.users where email = ${pendingEmail}`;
    expect(row).toMatchObject({ email_confirmed_at: null, confirmation_token: '' });
    expect(row?.encrypted_password).toMatch(/^\$2a\$10\$/);
    const login = await client().auth.signInWithPassword({ email: pendingEmail, password: PASSWORD });
    expect(login.error).toMatchObject({ code: 'email_not_confirmed', status: 400 });
  });

  it('refuses the anon key, a user token and the publishable key with not_admin', async () => {
    const email = newEmail();
    const refused = await client().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
    expect(refused.error).toMatchObject({ code: 'not_admin', status: 403 });
    const { session } = await signUp();
    const asUser = await client(session.access_token).auth.admin.createUser({ email, password: PASSWORD });
    expect(asUser.error).toMatchObject({ code: 'not_admin', status: 403 });
    const asPublishable = await client(keys.publishableKey).auth.admin.listUsers();
    expect(asPublishable.error).toMatchObject({ code: 'not_admin', status: 403 });
    expect(await sql`select 1 from auth.users where email = ${email}`).toHaveLength(0);
  });

  it('answers email_exists for a duplicate and accepts the sb_secret_ key', async () => {
    const admin = client(keys.secretKey);
    const email = newEmail();
    expect((await admin.auth.admin.createUser({ email, password: PASSWORD })).error).toBeNull();
    const again = await admin.auth.admin.createUser({ email, password: PASSWORD });
    expect(again.error).toMatchObject({ code: 'email_exists', status: 422 });
  });

  it('updates a user: confirms the email, merges metadata, bans and unbans', async () => {
    const admin = client(keys.serviceRoleKey);
    const email = newEmail();
    const created = await admin.auth.admin.createUser({ email, password: PASSWORD, user_metadata: { team: 'a' } });
    const id = created.data.user?.id ?? '';
    const updated = await admin.auth.admin.updateUserById(id, { email_confirm: true, user_metadata: { lang: 'en' }, ban_duration: '1h30m' });
    expect(updated.error).toBeNull();
    expect(updated.data.user).toMatchObject({ user_metadata: { team: 'a', lang: 'en', email_verified: true } });
    expect(updated.data.user?.email_confirmed_at).toBeTruthy();
    expect(new Date(updated.data.user?.banned_until ?? 0).getTime()).toBeGreaterThan(Date.now() + 80 * 60_000);
    expect((await client().auth.signInWithPassword({ email, password: PASSWORD })).error).toMatchObject({ code: 'user_banned' });

    expect((await admin.auth.admin.updateUserById(id, { ban_duration: 'none' })).error).toBeNull();
    expect((await client().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
  });

  it('lists users newest first with pagination, and deletes a user', async () => {
    const admin = client(keys.serviceRoleKey);
    const created = await signUp();
    const { data, error } = await admin.auth.admin.listUsers({ page: 1, perPage: 2 });
    expect(error).toBeNull();
    expect(data.users).toHaveLength(2);
    expect(data.users[0]?.id).toBe(created.user.id);
    expect(data).toMatchObject({ nextPage: 2, total: expect.any(Number) });
    const [count] = await sql<{ n: number }[]>`select count(*)::int as n from auth.users`;
    expect('total' in data ? data.total : -1).toBe(count?.n);

    expect((await admin.auth.admin.deleteUser(created.user.id)).error).toBeNull();
    expect(await sql`select 1 from auth.users where id = ${created.user.id}`).toHaveLength(0);
    expect((await admin.auth.admin.getUserById(created.user.id)).error).toMatchObject({ code: 'user_not_found', status: 404 });
  });
});

describe('HTTP surface', () => {
  it('answers CORS preflights from the app origin and exposes the API version header', async () => {
    const origin = 'http://localhost:3000';
    const preflight = await rawFetch('/token?grant_type=password', {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'apikey,authorization,content-type,x-client-info,x-supabase-api-version',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.split(',').map((h) => h.trim())).toEqual(
      expect.arrayContaining(['apikey', 'authorization', 'content-type', 'x-client-info', 'x-supabase-api-version']),
    );

    const failed = await rawFetch('/token?grant_type=password', {
      method: 'POST',
      headers: { Origin: origin, 'Content-Type': 'application/json', apikey: keys.anonKey },
      body: JSON.stringify({ email: newEmail(), password: 'nope-nope' }),
    });
    expect(failed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(failed.headers.get('access-control-expose-headers')).toContain('X-Supabase-Api-Version');
  });

  it('sends every error with X-Supabase-Api-Version and the {code, error_code, msg, message} body', async () => {
    const failed = await rawFetch('/token?grant_type=password', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: newEmail(), password: 'nope-nope' }),
    });
    expect(failed.status).toBe(400);
    expect(failed.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(await failed.json()).toEqual({
      code: 'invalid_credentials',
      error_code: 'invalid_credentials',
      msg: 'Invalid login credentials',
      message: 'Invalid login credentials',
    });

    const badJson = await rawFetch('/signup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"email": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(await badJson.json()).toMatchObject({ code: 'bad_json' });

    const grant = await rawFetch('/token?grant_type=magic', { method: 'POST', body: '{}' });
    expect(await grant.json()).toMatchObject({ code: 'invalid_credentials', msg: 'unsupported_grant_type' });

    const noAuth = await rawFetch('/user');
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ code: 'no_authorization' });
    const anonAsUser = await rawFetch('/user', { headers: { Authorization: `Bearer ${keys.anonKey}` } });
    expect(anonAsUser.status).toBe(403);
    expect(await anonAsUser.json()).toMatchObject({ code: 'bad_jwt' });
  });

  it('answers an oversized body with 413 request_entity_too_large', async () => {
    const response = await rawFetch('/signup', { method: 'POST', body: JSON.stringify({ email: 'x'.repeat(1024 * 1024 + 10) }) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'request_entity_too_large' });
  });

  it('serves /health and /settings', async () => {
    expect(await (await rawFetch('/health')).json()).toMatchObject({ name: 'GoTrue' });
    const settings = (await (await rawFetch('/settings')).json()) as { external: Record<string, boolean> };
    expect(settings).toMatchObject({ disable_signup: false, mailer_autoconfirm: true, external: { email: true, phone: false } });
  });
});

describe('@supabase/ssr', () => {
  it('keeps the session in cookies that a later server client verifies with getClaims', async () => {
    const { email, user } = await signUp();
    const jar = new Map<string, string>();
    const serverClient = () =>
      createServerClient(auth().baseUrl, keys.anonKey, {
        cookies: {
          getAll: () => [...jar].map(([name, value]) => ({ name, value })),
          setAll: (cookies) => {
            for (const { name, value } of cookies) {
              if (value) jar.set(name, value);
              else jar.delete(name);
            }
          },
        },
      });
    expect((await serverClient().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
    expect(jar.get('sb-127-auth-token')).toMatch(/^base64-/);

    const { data, error } = await serverClient().auth.getClaims();
    expect(error).toBeNull();
    expect(data?.claims).toMatchObject({ sub: user.id, email, role: 'authenticated' });
  });
});
