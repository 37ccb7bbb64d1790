import { audit } from '../audit';
import { badRequest, unprocessable, validationFailed } from '../errors';
import { json, type AuthRequest, type Handler } from '../http';
import { verifyPassword, weakPasswordReasons } from '../passwords';
import { passwordGrantSchema, refreshGrantSchema } from '../schemas';
import { createSession, refreshGrant, tokenResponse } from '../sessions';
import type { AuthContext } from '../context';
import { findUserByEmail, isBanned } from '../users';

const invalidCredentials = () => badRequest('invalid_credentials', 'Invalid login credentials');

async function passwordGrant(ctx: AuthContext, req: AuthRequest) {
  const body = await req.body(passwordGrantSchema);
  if (body.email && body.phone) throw validationFailed('Only an email address or phone number should be provided on login.');
  if (body.phone) throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');
  if (!body.email) throw validationFailed('missing email or phone');
  const password = body.password ?? '';

  const user = await findUserByEmail(ctx.sql, body.email);
  const matches = await verifyPassword(password, user?.encrypted_password ?? null);
  if (!user || !matches) throw invalidCredentials();
  if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
  if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');

  const session = await ctx.sql.begin(async (tx) => {
    await audit(tx, req, user, 'login', { provider: 'email' });
    const { sessionId, refreshToken } = await createSession(tx, user, req);
    // A correct password that no longer meets the policy still signs in, with a warning.
    return tokenResponse(ctx, tx, user.id, sessionId, refreshToken, weakPasswordReasons(password));
  });
  return json(session);
}

/** `POST /token?grant_type=…`; the grant type is read from the query string, as GoTrue does. */
export const token: Handler = async (ctx, req) => {
  const grantType = req.query.get('grant_type');
  if (grantType === 'password') return passwordGrant(ctx, req);
  if (grantType === 'refresh_token') {
    const body = await req.body(refreshGrantSchema);
    return json(await refreshGrant(ctx, req, body.refresh_token ?? ''));
  }
  throw badRequest('invalid_credentials', 'unsupported_grant_type');
};
