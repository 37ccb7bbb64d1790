import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const BASE_ENV = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_ANON_KEY: 'anon-key-for-the-app-url-unit-test',
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  FLEETLINE_VAULT_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
};

// serverEnv() caches its answer, so every case loads the modules afresh.
async function load(env: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries({ ...BASE_ENV, ...env })) vi.stubEnv(name, value);
  vi.resetModules();
  return { ...(await import('./env')), ...(await import('./app-url')) };
}

beforeEach(() => vi.unstubAllEnvs());
afterEach(() => vi.unstubAllEnvs());

describe('APP_URL', () => {
  it('is required in production, and start-up names it', async () => {
    const { serverEnv } = await load({ NODE_ENV: 'production', APP_URL: undefined });
    expect(() => serverEnv()).toThrow(/APP_URL: is required/);
  });

  it('must be an http(s) URL', async () => {
    const { serverEnv } = await load({ NODE_ENV: 'production', APP_URL: 'javascript:alert(1)' });
    expect(() => serverEnv()).toThrow(/APP_URL: must be the app's public http\(s\) URL/);
  });

  it('builds links on the configured origin only', async () => {
    const { appUrl } = await load({ NODE_ENV: 'production', APP_URL: 'https://console.fleetline.example/ignored/path' });
    expect(appUrl('/invite/abc')).toBe('https://console.fleetline.example/invite/abc');
    // A path that looks like another host still lands on the app's origin.
    expect(new URL(appUrl('//evil.test/x')).origin).toBe('https://console.fleetline.example');
    expect(() => appUrl('evil.test')).toThrow();
  });

  it('defaults to the local app outside production', async () => {
    const { appUrl } = await load({ NODE_ENV: 'development', APP_URL: undefined });
    expect(appUrl('/invite/abc')).toBe('http://127.0.0.1:3000/invite/abc');
  });
});
