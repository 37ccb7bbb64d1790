import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { AUDIENCE, DEFAULT_ROLE, NIL_UUID, type Db } from './context';
import type { AuthError } from './errors';

export type Json = Record<string, unknown>;

/** The `auth.users` columns this server reads (never the token columns). */
export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_sent_at: Date | null;
  recovery_sent_at: Date | null;
  email_change_sent_at: Date | null;
  email_change: string | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  reauthentication_sent_at: Date | null;
  confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Json | null;
  raw_user_meta_data: Json | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Json;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

const USER_COLUMNS = [
  'id', 'aud', 'role', 'email', 'encrypted_password', 'email_confirmed_at', 'invited_at', 'confirmation_sent_at',
  'recovery_sent_at', 'email_change_sent_at', 'email_change', 'phone', 'phone_confirmed_at', 'phone_change',
  'phone_change_sent_at', 'reauthentication_sent_at', 'confirmed_at', 'last_sign_in_at', 'raw_app_meta_data',
  'raw_user_meta_data', 'created_at', 'updated_at', 'banned_until', 'deleted_at', 'is_anonymous',
] as const;

// A JSON parameter: postgres.js serialises it once (a pre-stringified value would be stored as a JSON string).
const jsonb = (db: Db, value: Json) => db.json(value as postgres.JSONValue);

export async function findUserById(db: Db, id: string, forUpdate = false): Promise<UserRow | null> {
  const lock = forUpdate ? db`for update` : db``;
  const [user] = await db<UserRow[]>`select ${db(USER_COLUMNS)} from auth.users where id = ${id} ${lock}`;
  return user ?? null;
}

/** GoTrue's `FindUserByEmailAndAudience`. */
export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
  const [user] = await db<UserRow[]>`
    select ${db(USER_COLUMNS)} from auth.users
    where instance_id = ${NIL_UUID} and lower(email) = lower(${email}) and aud = ${AUDIENCE} and is_sso_user = false`;
  return user ?? null;
}

export async function loadIdentities(db: Db, userId: string): Promise<IdentityRow[]> {
  return db<IdentityRow[]>`
    select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, email
    from auth.identities where user_id = ${userId} order by created_at, id`;
}

/** One page of users, newest first, with their identities; `filter` matches part of the email. */
export async function listUserPage(
  db: Db,
  page: { filter: string | null; limit: number; offset: number },
): Promise<{ users: UserRow[]; identities: IdentityRow[]; total: number }> {
  const pattern = page.filter ? `%${page.filter.replace(/[\\%_]/g, '\\$&')}%` : null;
  const where = db`
    where instance_id = ${NIL_UUID} and aud = ${AUDIENCE} ${pattern ? db`and email ilike ${pattern}` : db``}`;
  const [count] = await db<{ total: string }[]>`select count(*)::text as total from auth.users ${where}`;
  const users = await db<UserRow[]>`
    select ${db(USER_COLUMNS)} from auth.users ${where}
    order by created_at desc, id desc limit ${page.limit} offset ${page.offset}`;
  const identities = users.length
    ? await db<IdentityRow[]>`
        select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, email
        from auth.identities where user_id in ${db(users.map((user) => user.id))} order by created_at, id`
    : [];
  return { users: [...users], identities: [...identities], total: Number(count?.total ?? 0) };
}

export function isBanned(user: UserRow): boolean {
  return user.banned_until !== null && user.banned_until.getTime() > Date.now();
}

const iso = (value: Date | null) => value?.toISOString();

function identityJson(identity: IdentityRow): Json {
  return {
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data,
    provider: identity.provider,
    last_sign_in_at: iso(identity.last_sign_in_at),
    created_at: iso(identity.created_at),
    updated_at: iso(identity.updated_at),
    email: identity.email ?? undefined,
  };
}

/** The User JSON of GoTrue's `models.User` (contract §2.2): NULL timestamps and empty changes are omitted. */
export function userJson(user: UserRow, identities: IdentityRow[]): Json {
  return {
    id: user.id,
    aud: user.aud ?? '',
    role: user.role ?? '',
    email: user.email ?? '',
    email_confirmed_at: iso(user.email_confirmed_at),
    phone: user.phone ?? '',
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    recovery_sent_at: iso(user.recovery_sent_at),
    email_change_sent_at: iso(user.email_change_sent_at),
    new_email: user.email_change || undefined,
    phone_change_sent_at: iso(user.phone_change_sent_at),
    new_phone: user.phone_change || undefined,
    reauthentication_sent_at: iso(user.reauthentication_sent_at),
    invited_at: iso(user.invited_at),
    confirmed_at: iso(user.confirmed_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    banned_until: iso(user.banned_until),
    deleted_at: iso(user.deleted_at),
    is_anonymous: user.is_anonymous,
  };
}

export async function userResponse(db: Db, user: UserRow): Promise<Json> {
  return userJson(user, await loadIdentities(db, user.id));
}

/** Shallow merge where `null` deletes a key (GoTrue's `UpdateUserMetaData`). */
export function mergeMetadata(current: Json | null, patch: Json): Json {
  const merged: Json = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export interface NewUser {
  id?: string;
  email: string;
  passwordHash: string;
  confirmed: boolean;
  role?: string;
  appMetadata: Json;
  userMetadata: Json;
  /** Extra keys of the email identity's `identity_data` (sign-up copies its `data` there). */
  identityData?: Json;
  bannedUntil?: Date | null;
}

function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint_name?: string };
  return e.code === '23505' && (constraint === undefined || e.constraint_name === constraint);
}

/**
 * Inserts the user and its `email` identity the way GoTrue writes them: nil instance_id, `''`
 * in every token column (NULL breaks GoTrue's scanner), `{}`-never-NULL metadata.
 */
export async function insertUser(
  db: Db,
  input: NewUser,
  errors: { duplicateEmail: () => AuthError; duplicateId: () => AuthError },
): Promise<UserRow> {
  const id = input.id ?? randomUUID();
  let user: UserRow | undefined;
  try {
    [user] = await db<UserRow[]>`
      insert into auth.users (
        instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
        confirmation_token, recovery_token, email_change_token_new, email_change, email_change_token_current,
        email_change_confirm_status, phone_change, phone_change_token, reauthentication_token,
        raw_app_meta_data, raw_user_meta_data, is_super_admin, created_at, updated_at,
        banned_until, is_sso_user, is_anonymous
      ) values (
        ${NIL_UUID}, ${id}, ${AUDIENCE}, ${input.role ?? DEFAULT_ROLE}, ${input.email}, ${input.passwordHash},
        ${input.confirmed ? db`now()` : null},
        '', '', '', '', '',
        0, '', '', '',
        ${jsonb(db, input.appMetadata)}::jsonb, ${jsonb(db, input.userMetadata)}::jsonb, false, now(), now(),
        ${input.bannedUntil ?? null}, false, false
      )
      returning ${db(USER_COLUMNS)}`;
  } catch (error) {
    if (isUniqueViolation(error, 'users_pkey')) throw errors.duplicateId();
    if (isUniqueViolation(error)) throw errors.duplicateEmail();
    throw error;
  }
  if (!user) throw new Error('insert into auth.users returned no row');
  const identityData = { sub: id, email: input.email, email_verified: false, phone_verified: false, ...input.identityData };
  await db`
    insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${randomUUID()}, ${id}, ${id}, ${jsonb(db, identityData)}::jsonb, 'email', now(), now(), now())`;
  return user;
}

export async function setUserMetadata(db: Db, id: string, metadata: Json): Promise<void> {
  await db`update auth.users set raw_user_meta_data = ${jsonb(db, metadata)}::jsonb, updated_at = now() where id = ${id}`;
}

export async function setAppMetadata(db: Db, id: string, metadata: Json): Promise<void> {
  await db`update auth.users set raw_app_meta_data = ${jsonb(db, metadata)}::jsonb, updated_at = now() where id = ${id}`;
}

export async function setPasswordHash(db: Db, id: string, hash: string): Promise<void> {
  await db`update auth.users set encrypted_password = ${hash}, updated_at = now() where id = ${id}`;
}

/** GoTrue's `Confirm()`: stamps `email_confirmed_at` and records `email_verified` in user_metadata. */
export async function confirmEmail(db: Db, user: UserRow): Promise<void> {
  const metadata = mergeMetadata(user.raw_user_meta_data, { email_verified: true });
  await db`
    update auth.users set email_confirmed_at = now(), raw_user_meta_data = ${jsonb(db, metadata)}::jsonb, updated_at = now()
    where id = ${user.id}`;
}

/** Applies an email change at once (GoTrue with autoconfirm) and keeps the `email` identity in step. */
export async function changeEmail(db: Db, userId: string, email: string, duplicate: () => AuthError): Promise<void> {
  try {
    await db`
      update auth.users
      set email = ${email}, email_change = '', email_change_token_new = '', email_change_token_current = '',
          email_change_confirm_status = 0, updated_at = now()
      where id = ${userId}`;
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  }
  await db`
    update auth.identities set identity_data = identity_data || jsonb_build_object('email', ${email}::text), updated_at = now()
    where user_id = ${userId} and provider = 'email'`;
}

export async function setBannedUntil(db: Db, id: string, until: Date | null): Promise<void> {
  await db`update auth.users set banned_until = ${until}, updated_at = now() where id = ${id}`;
}

export async function setRole(db: Db, id: string, role: string): Promise<void> {
  await db`update auth.users set role = ${role}, updated_at = now() where id = ${id}`;
}

export async function touchLastSignIn(db: Db, id: string): Promise<void> {
  await db`update auth.users set last_sign_in_at = now() where id = ${id}`;
}
