import { NextResponse, type NextRequest } from 'next/server';
import { updateSession } from './lib/supabase/proxy';
import { contentSecurityPolicy } from './lib/security-headers';

const PUBLIC_PREFIXES = ['/login', '/signup', '/invite/', '/api/'];

function isPublic(pathname: string): boolean {
  return PUBLIC_PREFIXES.some((prefix) => pathname === prefix.replace(/\/$/, '') || pathname.startsWith(prefix));
}

/** Session refresh, request id, CSP nonce and the coarse signed-out redirect. */
export async function proxy(request: NextRequest) {
  const requestId = request.headers.get('x-request-id') ?? crypto.randomUUID();
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV !== 'production');

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-request-id', requestId);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);
  requestHeaders.set('x-pathname', `${request.nextUrl.pathname}${request.nextUrl.search}`);

  const session = await updateSession(request, requestHeaders);
  let response = session.response;

  if (!session.claims && !isPublic(request.nextUrl.pathname)) {
    const url = request.nextUrl.clone();
    url.pathname = '/login';
    url.search = '';
    if (request.nextUrl.pathname !== '/') url.searchParams.set('next', `${request.nextUrl.pathname}${request.nextUrl.search}`);
    if (session.hadSessionCookie) url.searchParams.set('reason', 'session');
    const redirect = NextResponse.redirect(url);
    // Keep whatever the session refresh wrote (e.g. cleared cookies) on the redirect.
    for (const cookie of response.cookies.getAll()) redirect.cookies.set(cookie);
    response = redirect;
  }

  response.headers.set('content-security-policy', csp);
  response.headers.set('x-request-id', requestId);
  return response;
}

export const config = {
  // Static files (public/ icons, robots.txt, the web manifest) need no session and must load signed out;
  // the live-data ingest (AWS IoT Rules, authenticated by its secret header) has no session to refresh.
  matcher: ['/((?!_next/static|_next/image|api/ingest/|favicon\\.ico$|robots\\.txt$|manifest\\.webmanifest$|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico)$).*)'],
};
