import 'server-only';
import { cookies } from 'next/headers';
import { createSessionClient } from './session-client';

/** A Supabase client bound to this request's auth cookies (Auth only; tables go through lib/db). */
export async function createSupabaseServerClient() {
  const cookieStore = await cookies();
  return createSessionClient({
    getAll() {
      return cookieStore.getAll();
    },
    setAll(cookiesToSet) {
      try {
        for (const { name, value, options } of cookiesToSet) cookieStore.set(name, value, options);
      } catch {
        // Server Components cannot set cookies; the proxy refreshes the session instead.
      }
    },
  });
}
