import 'server-only';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import type { SessionUser } from './context';
import type { JwtClaims } from './db';
import { paths } from './paths';
import { createSupabaseServerClient } from './supabase/server';

/** The verified claims of this request's session (signature checked against JWKS), or null. */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const supabase = await createSupabaseServerClient();
  const { data, error } = await supabase.auth.getClaims();
  if (error || !data?.claims?.sub || data.claims.role !== 'authenticated') return null;
  const claims = data.claims as unknown as JwtClaims;
  return { id: claims.sub, email: String(claims.email ?? ''), claims };
});

/** For pages: the signed-in user, or a redirect to the login page that comes back here. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (user) return user;
  const current = (await headers()).get('x-pathname');
  redirect(current ? `${paths.login}?next=${encodeURIComponent(current)}` : paths.login);
}
