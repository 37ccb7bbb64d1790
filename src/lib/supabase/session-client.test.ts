import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSessionClient } from './session-client';

type Written = { name: string; value: string; options: Record<string, unknown> };

beforeAll(() => {
  vi.stubEnv('SUPABASE_URL', 'http://auth.fleetline.test');
  vi.stubEnv('SUPABASE_ANON_KEY', 'anon-key-for-the-cookie-unit-test');
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  vi.stubEnv('SUPABASE_URL', 'http://auth.fleetline.test');
  vi.stubEnv('SUPABASE_ANON_KEY', 'anon-key-for-the-cookie-unit-test');
});

/** Signs in through @supabase/ssr against a canned GoTrue answer and returns the cookies it wrote. */
async function cookiesWrittenOnSignIn(): Promise<Written[]> {
  const now = Math.floor(Date.now() / 1000);
  vi.stubGlobal('fetch', async () =>
    Response.json({
      access_token: 'header.payload.signature',
      refresh_token: 'refresh-token',
      token_type: 'bearer',
      expires_in: 3600,
      expires_at: now + 3600,
      user: { id: '00000000-0000-4000-8000-000000000001', aud: 'authenticated', role: 'authenticated', email: 'a@example.test', app_metadata: {}, user_metadata: {}, created_at: new Date().toISOString() },
    }),
  );
  const written: Written[] = [];
  const client = createSessionClient({
    getAll: () => [],
    setAll: (cookies) => {
      written.push(...cookies);
    },
  });
  const { error } = await client.auth.signInWithPassword({ email: 'a@example.test', password: 'irrelevant' });
  expect(error).toBeNull();
  expect(written.length).toBeGreaterThan(0);
  return written;
}

describe('session cookies', () => {
  it('are httpOnly and SameSite=Lax, and not Secure outside production (local http stack)', async () => {
    vi.stubEnv('NODE_ENV', 'development');
    for (const cookie of await cookiesWrittenOnSignIn()) {
      expect(cookie.name).toMatch(/^sb-.+-auth-token/);
      expect(cookie.options).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: false, path: '/' });
    }
  });

  it('are Secure in production', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    for (const cookie of await cookiesWrittenOnSignIn()) {
      expect(cookie.options).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: true });
    }
  });
});
