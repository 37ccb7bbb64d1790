import { randomBytes } from 'node:crypto';
import { audit } from '../audit';
import { AUDIENCE, UUID_PATTERN, type AuthContext } from '../context';
import { notFound, unprocessable, validationFailed } from '../errors';
import { requireAdmin } from '../guards';
import { json, type AuthRequest, type Handler } from '../http';
import { assertPasswordLength, hashPassword, isBcryptHash } from '../passwords';
import { adminCreateUserSchema, adminDeleteUserSchema, adminUpdateUserSchema, parseBanDuration, validateEmail } from '../schemas';
import {
  changeEmail,
  confirmEmail,
  findUserByEmail,
  findUserById,
  insertUser,
  listUserPage,
  mergeMetadata,
  setAppMetadata,
  setBannedUntil,
  setPasswordHash,
  setRole,
  setUserMetadata,
  userJson,
  userResponse,
  type UserRow,
} from '../users';

// Admin routes act for the service role; every caller has passed requireAdmin (contract §1.9).
const emailTaken = () => unprocessable('email_exists', 'A user with this email address has already been registered');
const idTaken = () => unprocessable('user_already_exists', 'User already exists');
const phoneUnsupported = () => validationFailed('Phone users are not supported by the local auth server');

/** Hash for `password` or `password_hash` (bcrypt only); GoTrue applies no strength policy here. */
async function adminPasswordHash(password: string | null | undefined, passwordHash: string | null | undefined): Promise<string | null> {
  if (password && passwordHash) throw validationFailed('Only a password or a password hash should be provided');
  if (passwordHash) {
    if (!isBcryptHash(passwordHash)) throw validationFailed('Invalid password hash format: only bcrypt hashes are supported');
    return passwordHash;
  }
  if (password) {
    assertPasswordLength(password);
    return hashPassword(password);
  }
  return null;
}

function bannedUntil(duration: string | null | undefined): Date | null | undefined {
  if (duration === undefined || duration === null) return undefined;
  const ms = parseBanDuration(duration);
  return ms === 0 ? null : new Date(Date.now() + ms);
}

export const createUser: Handler = async (ctx, req) => {
  await requireAdmin(ctx, req);
  const body = await req.body(adminCreateUserSchema);
  if (body.phone) throw phoneUnsupported();
  if (!body.email) throw validationFailed('Cannot create a user without either an email or phone');
  const email = validateEmail(body.email);
  // No password: a random one, so the account can only be entered after a reset, as in GoTrue.
  const passwordHash = (await adminPasswordHash(body.password, body.password_hash)) ?? (await hashPassword(randomBytes(32).toString('hex')));
  const banned = bannedUntil(body.ban_duration);
  if (await findUserByEmail(ctx.sql, email)) throw emailTaken();

  const created = await ctx.sql.begin(async (tx) => {
    const confirmed = body.email_confirm === true;
    const user = await insertUser(
      tx,
      {
        id: body.id,
        email,
        passwordHash,
        confirmed,
        role: body.role,
        appMetadata: { provider: 'email', providers: ['email'], ...body.app_metadata },
        userMetadata: { ...body.user_metadata, ...(confirmed ? { email_verified: true } : {}) },
        bannedUntil: banned ?? null,
      },
      { duplicateEmail: emailTaken, duplicateId: idTaken },
    );
    await audit(tx, req, user, 'user_signedup', { provider: 'email', via: 'admin' });
    return userResponse(tx, user);
  });
  return json(created);
};

function positiveInt(value: string | null, fallback: number): number {
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw validationFailed('Bad Pagination Parameters');
  return n;
}

/** `GET /admin/users?page=&per_page=&filter=`, newest first, with GoTrue's pagination headers. */
export const listUsers: Handler = async (ctx, req) => {
  await requireAdmin(ctx, req);
  const page = positiveInt(req.query.get('page'), 1);
  const perPage = positiveInt(req.query.get('per_page'), 50);
  const { users, identities, total } = await listUserPage(ctx.sql, {
    filter: req.query.get('filter'),
    limit: perPage,
    offset: (page - 1) * perPage,
  });

  const lastPage = Math.max(1, Math.ceil(total / perPage));
  // `page` must stay the first query key: auth-js reads the page number right after the first '='.
  const link = (p: number, rel: string) => `<${ctx.config.url}/admin/users?page=${p}&per_page=${perPage}>; rel="${rel}"`;
  const links = [...(page < lastPage ? [link(page + 1, 'next')] : []), link(lastPage, 'last')];
  return json(
    { users: users.map((user) => userJson(user, identities.filter((i) => i.user_id === user.id))), aud: AUDIENCE },
    { 'X-Total-Count': String(total), Link: links.join(', ') },
  );
};

async function targetUser(ctx: AuthContext, req: AuthRequest): Promise<UserRow> {
  const id = req.params[0] ?? '';
  if (!UUID_PATTERN.test(id)) throw notFound('validation_failed', 'user_id must be an UUID');
  const user = await findUserById(ctx.sql, id);
  if (!user) throw notFound('user_not_found', 'User not found');
  return user;
}

export const getUserById: Handler = async (ctx, req) => {
  await requireAdmin(ctx, req);
  return json(await userResponse(ctx.sql, await targetUser(ctx, req)));
};

/** `PUT /admin/users/{id}`: email, password, email_confirm, metadata (merged), role, ban_duration. */
export const updateUserById: Handler = async (ctx, req) => {
  await requireAdmin(ctx, req);
  const user = await targetUser(ctx, req);
  const body = await req.body(adminUpdateUserSchema);
  if (body.phone) throw phoneUnsupported();
  const passwordHash = await adminPasswordHash(body.password, body.password_hash);
  const email = body.email ? validateEmail(body.email) : null;
  if (email && email !== user.email) {
    const owner = await findUserByEmail(ctx.sql, email);
    if (owner && owner.id !== user.id) throw emailTaken();
  }
  const banned = bannedUntil(body.ban_duration);

  const updated = await ctx.sql.begin(async (tx) => {
    if (email && email !== user.email) await changeEmail(tx, user.id, email, emailTaken);
    if (passwordHash) await setPasswordHash(tx, user.id, passwordHash);
    if (body.role) await setRole(tx, user.id, body.role);
    if (body.app_metadata) await setAppMetadata(tx, user.id, mergeMetadata(user.raw_app_meta_data, body.app_metadata));
    if (body.user_metadata) await setUserMetadata(tx, user.id, mergeMetadata(user.raw_user_meta_data, body.user_metadata));
    if (banned !== undefined) await setBannedUntil(tx, user.id, banned);
    if (body.email_confirm === true && !user.email_confirmed_at) {
      const current = await findUserById(tx, user.id);
      if (current) await confirmEmail(tx, current);
    }
    await audit(tx, req, user, 'user_modified', { via: 'admin' });
    const fresh = await findUserById(tx, user.id);
    if (!fresh) throw new Error('user vanished during update');
    return userResponse(tx, fresh);
  });
  return json(updated);
};

/** `DELETE /admin/users/{id}`: hard delete (identities, sessions and tokens cascade). */
export const deleteUserById: Handler = async (ctx, req) => {
  await requireAdmin(ctx, req);
  const user = await targetUser(ctx, req);
  const body = await req.body(adminDeleteUserSchema, { allowEmpty: true });
  if (body.should_soft_delete) throw validationFailed('Soft delete is not supported by the local auth server');
  await ctx.sql.begin(async (tx) => {
    await audit(tx, req, user, 'user_deleted', { via: 'admin' });
    await tx`delete from auth.users where id = ${user.id}`;
  });
  return json({});
};
