import { createServerClient, type CookieMethodsServer, type CookieOptionsWithName } from '@supabase/ssr';
import { supabaseEnv } from '../env';

/**
 * Session cookies are for the server only: the browser never talks to Supabase (no browser
 * client), so page scripts need not read them. HTTPS-only in production; Lax keeps them off
 * cross-site subrequests and form posts while links into the app still arrive signed in.
 */
export function sessionCookieOptions(production: boolean): CookieOptionsWithName {
  return { path: '/', sameSite: 'lax', httpOnly: true, secure: production };
}

/** A Supabase Auth client over the given cookie store (the proxy's request, or next/headers). */
export function createSessionClient(cookies: CookieMethodsServer) {
  const env = supabaseEnv();
  return createServerClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    cookies,
    cookieOptions: sessionCookieOptions(process.env.NODE_ENV === 'production'),
  });
}
