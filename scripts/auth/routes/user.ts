import { audit } from '../audit';
import { AUDIENCE } from '../context';
import { forbidden, unprocessable, validationFailed } from '../errors';
import { assertAudience, requireUser } from '../guards';
import { json, noContent, type Handler } from '../http';
import { checkPasswordStrength, hashPassword, verifyPassword } from '../passwords';
import { logoutScopeSchema, updateUserSchema, validateEmail } from '../schemas';
import { endSessions } from '../sessions';
import { changeEmail, findUserByEmail, findUserById, mergeMetadata, setPasswordHash, setUserMetadata, userResponse } from '../users';

const emailTaken = () => unprocessable('email_exists', 'A user with this email address has already been registered');

export const getUser: Handler = async (ctx, req) => {
  const { user, claims } = await requireUser(ctx, req);
  assertAudience(claims, AUDIENCE);
  return json(await userResponse(ctx.sql, user));
};

/**
 * `PUT /user`: `data` is merged into user_metadata (null deletes a key); a new password ends every
 * other session of the user; a new email is applied immediately (no mail server locally, as
 * GoTrue does with autoconfirm). Phone changes are refused.
 */
export const updateUser: Handler = async (ctx, req) => {
  const { user, claims, sessionId } = await requireUser(ctx, req);
  assertAudience(claims, AUDIENCE);
  const body = await req.body(updateUserSchema);
  if (body.app_metadata) throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
  if (body.phone) throw unprocessable('phone_provider_disabled', 'Phone numbers are not supported by the local auth server');

  let passwordHash: string | null = null;
  if (body.password !== undefined && body.password !== null) {
    checkPasswordStrength(body.password);
    if (await verifyPassword(body.password, user.encrypted_password)) {
      throw unprocessable('same_password', 'New password should be different from the old password.');
    }
    passwordHash = await hashPassword(body.password);
  }

  let email: string | null = null;
  if (body.email) {
    const requested = validateEmail(body.email);
    if (requested !== user.email) {
      const owner = await findUserByEmail(ctx.sql, requested);
      if (owner && owner.id !== user.id) throw emailTaken();
      email = requested;
    }
  }

  const updated = await ctx.sql.begin(async (tx) => {
    const current = await findUserById(tx, user.id, true);
    if (!current) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
    let metadata = body.data ? mergeMetadata(current.raw_user_meta_data, body.data) : null;
    if (email) {
      await changeEmail(tx, current.id, email, emailTaken);
      if (current.raw_user_meta_data && 'email' in current.raw_user_meta_data) {
        metadata = mergeMetadata(metadata ?? current.raw_user_meta_data, { email });
      }
    }
    if (metadata) await setUserMetadata(tx, current.id, metadata);
    if (passwordHash) {
      await setPasswordHash(tx, current.id, passwordHash);
      await endSessions(tx, current.id, sessionId, 'others');
      await audit(tx, req, current, 'user_updated_password');
    }
    await audit(tx, req, current, 'user_modified');
    const fresh = await findUserById(tx, current.id);
    if (!fresh) throw new Error('user vanished during update');
    return userResponse(tx, fresh);
  });
  return json(updated);
};

/** `POST /logout?scope=global|local|others` (empty or missing scope = global) → 204. */
export const logout: Handler = async (ctx, req) => {
  const { user, sessionId } = await requireUser(ctx, req);
  const rawScope = req.query.get('scope') || 'global';
  const scope = logoutScopeSchema.safeParse(rawScope);
  if (!scope.success) throw validationFailed(`Unsupported logout scope "${rawScope}"`);
  await ctx.sql.begin(async (tx) => {
    await endSessions(tx, user.id, sessionId, scope.data);
    await audit(tx, req, user, 'logout', { scope: scope.data });
  });
  return noContent();
};
