import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeDatabase } from '@/lib/db';
import type { ActionResult } from '@/lib/errors';
import { createAuthKeys } from '../../../scripts/auth/keys';
import { startAuthServer, type RunningAuthServer } from '../../../scripts/auth/server';
import { closeAdminSql } from '../../../scripts/test/fixtures';

/**
 * The sign-in and sign-up actions as a request runs them: the real local auth server, the real
 * limiter in Postgres, the client address from a trusted `x-forwarded-for`. Only Next's request
 * scope (headers() and cookies()) is stood in for.
 */
const request = vi.hoisted(() => ({ headers: new Headers(), cookies: new Map<string, string>() }));
vi.mock('server-only', () => ({}));
vi.mock('next/headers', () => ({
  headers: async () => request.headers,
  cookies: async () => ({
    getAll: () => [...request.cookies].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string) => void request.cookies.set(name, value),
  }),
}));

let auth: RunningAuthServer;
const PASSWORD = 'correct-horse-battery';

beforeAll(async () => {
  const keys = await createAuthKeys();
  auth = await startAuthServer({ port: 0, databaseUrl: process.env.DATABASE_URL!, keys });
  Object.assign(process.env, {
    SUPABASE_URL: auth.baseUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    FLEETLINE_TRUSTED_PROXY_HEADER: 'x-forwarded-for',
    FLEETLINE_TRUSTED_PROXY_HOPS: '1',
    FLEETLINE_RATE_LIMIT_SIGN_IN_IP: '3/60/60',
    FLEETLINE_RATE_LIMIT_SIGN_IN_ACCOUNT: '4/60/60',
    FLEETLINE_RATE_LIMIT_SIGN_UP_IP: '2/60',
  });
});

afterAll(async () => {
  await auth?.close();
  await closeAdminSql();
  await closeDatabase();
});

let ipCounter = 0;
const newIp = () => `203.0.113.${(ipCounter += 1)}`;
const newEmail = () => `rl-${randomUUID().slice(0, 8)}@example.test`;

/** One request from `ip` behind the trusted proxy; `spoofed` is what the client itself put in front. */
async function from<T>(ip: string, call: () => Promise<T>, spoofed = '10.9.9.9'): Promise<T | { redirected: true }> {
  request.headers = new Headers({ 'x-forwarded-for': `${spoofed}, ${ip}` });
  request.cookies = new Map();
  try {
    return await call();
  } catch (error) {
    if ((error as { digest?: string }).digest?.startsWith('NEXT_REDIRECT')) return { redirected: true };
    throw error;
  }
}

const codeOf = (result: unknown) => (result as ActionResult<unknown>).ok === false ? (result as { error: { code: string } }).error.code : 'OK';

describe('signInAction', () => {
  it('limits one client IP across accounts, whatever the client puts in front of the proxy’s entry', async () => {
    const { signInAction } = await import('./actions');
    const ip = newIp();
    for (let i = 0; i < 3; i += 1) {
      const result = await from(ip, () => signInAction({ email: newEmail(), password: 'wrong-password' }), `198.51.100.${i}`);
      expect(codeOf(result)).toBe('UNAUTHENTICATED');
    }
    const limited = await from(ip, () => signInAction({ email: newEmail(), password: 'wrong-password' }), '198.51.100.77');
    expect(limited).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: 'Too many sign-in attempts. Try again in 1 min.' } });
    expect(codeOf(await from(newIp(), () => signInAction({ email: newEmail(), password: 'wrong-password' })))).toBe('UNAUTHENTICATED');
  });

  it('limits one account from any IP, and a success resets its failures', async () => {
    const { signInAction, signUpAction } = await import('./actions');
    const email = newEmail();
    expect(await from(newIp(), () => signUpAction({ email, password: PASSWORD }))).toEqual({ redirected: true });
    for (let i = 0; i < 3; i += 1) expect(codeOf(await from(newIp(), () => signInAction({ email, password: 'wrong-password' })))).toBe('UNAUTHENTICATED');
    expect(await from(newIp(), () => signInAction({ email, password: PASSWORD }))).toEqual({ redirected: true });
    for (let i = 0; i < 4; i += 1) expect(codeOf(await from(newIp(), () => signInAction({ email: email.toUpperCase(), password: 'wrong-password' })))).toBe('UNAUTHENTICATED');
    const limited = await from(newIp(), () => signInAction({ email, password: PASSWORD }));
    expect(codeOf(limited)).toBe('RATE_LIMITED');
  });
});

describe('signUpAction', () => {
  it('limits one client IP', async () => {
    const { signUpAction } = await import('./actions');
    const ip = newIp();
    for (let i = 0; i < 2; i += 1) expect(await from(ip, () => signUpAction({ email: newEmail(), password: PASSWORD }))).toEqual({ redirected: true });
    const limited = await from(ip, () => signUpAction({ email: newEmail(), password: PASSWORD }));
    expect(limited).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many sign-up attempts\. Try again in /) } });
  });
});
