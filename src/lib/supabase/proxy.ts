import { NextResponse, type NextRequest } from 'next/server';
import { createSessionClient } from './session-client';

/**
 * Refreshes the Supabase session cookies on every request (the official @supabase/ssr pattern):
 * getClaims() first, then hand back the very response the refreshed cookies were written to.
 * It does not authorize anything; pages, actions and RLS do.
 */
export async function updateSession(request: NextRequest, requestHeaders: Headers) {
  let response = NextResponse.next({ request: { headers: requestHeaders } });
  const supabase = createSessionClient({
    getAll() {
      return request.cookies.getAll();
    },
    setAll(cookiesToSet, headers) {
      for (const { name, value } of cookiesToSet) request.cookies.set(name, value);
      requestHeaders.set('cookie', request.cookies.toString());
      response = NextResponse.next({ request: { headers: requestHeaders } });
      for (const { name, value, options } of cookiesToSet) response.cookies.set(name, value, options);
      // no-store headers from @supabase/ssr: a response carrying a fresh session must never be cached.
      for (const [key, value] of Object.entries(headers)) response.headers.set(key, value);
    },
  });
  const { data } = await supabase.auth.getClaims();
  const hadSessionCookie = request.cookies.getAll().some((c) => c.name.startsWith('sb-') && c.name.includes('-auth-token'));
  return { response, claims: data?.claims ?? null, hadSessionCookie };
}
