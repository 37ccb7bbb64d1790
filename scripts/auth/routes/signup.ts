import { randomUUID } from 'node:crypto';
import { audit } from '../audit';
import { badRequest, unprocessable, validationFailed } from '../errors';
import { json, type Handler } from '../http';
import { checkPasswordStrength, hashPassword } from '../passwords';
import { signupSchema, validateEmail, validatePkceParams } from '../schemas';
import { createSession, tokenResponse } from '../sessions';
import { findUserByEmail, insertUser } from '../users';

const alreadyRegistered = () => unprocessable('user_already_exists', 'User already registered');

/**
 * `POST /signup` with autoconfirm on (the Supabase CLI default): the user is created confirmed
 * and signed in at once, so the answer is a Session. PKCE parameters are accepted and unused,
 * since no confirmation link is ever sent.
 */
export const signup: Handler = async (ctx, req) => {
  const body = await req.body(signupSchema);
  const password = body.password ?? '';
  if (password === '') throw validationFailed('Signup requires a valid password');
  checkPasswordStrength(password);
  if (body.email && body.phone) throw validationFailed('Only an email address or phone number should be provided on signup.');
  validatePkceParams(body.code_challenge, body.code_challenge_method);
  if (body.phone) throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
  const email = validateEmail(body.email);

  // An unconfirmed existing user is refused too: signing it in would skip the password check.
  if (await findUserByEmail(ctx.sql, email)) throw alreadyRegistered();
  const passwordHash = await hashPassword(password);

  const id = randomUUID();
  const identityData = { sub: id, email, email_verified: false, phone_verified: false, ...body.data };
  const session = await ctx.sql.begin(async (tx) => {
    const user = await insertUser(
      tx,
      {
        id,
        email,
        passwordHash,
        confirmed: true,
        appMetadata: { provider: 'email', providers: ['email'] },
        userMetadata: { ...identityData, email_verified: true },
        identityData: body.data ?? {},
      },
      { duplicateEmail: alreadyRegistered, duplicateId: alreadyRegistered },
    );
    await audit(tx, req, user, 'user_signedup', { provider: 'email' });
    await audit(tx, req, user, 'login', { provider: 'email' });
    const { sessionId, refreshToken } = await createSession(tx, user, req);
    return tokenResponse(ctx, tx, user.id, sessionId, refreshToken);
  });
  return json(session);
};
