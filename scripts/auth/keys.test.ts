import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthKeys, loadOrCreateAuthKeys } from './keys';
import { isWellFormedRefreshToken, loadKeyMaterial, newRefreshToken, verifyJwt } from './tokens';

const dirs: string[] = [];
async function tempFile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fleetline-keys-'));
  dirs.push(dir);
  return path.join(dir, 'nested', 'auth-keys.json');
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('auth keys', () => {
  it('signs the anon and service role keys with HS256 and the JWT secret, like the Supabase CLI', async () => {
    const keys = await createAuthKeys();
    const secret = new TextEncoder().encode(keys.jwtSecret);
    for (const [key, role] of [[keys.anonKey, 'anon'], [keys.serviceRoleKey, 'service_role']] as const) {
      expect(decodeProtectedHeader(key)).toEqual({ alg: 'HS256', typ: 'JWT' });
      const { payload } = await jwtVerify(key, secret, { algorithms: ['HS256'] });
      expect(payload).toMatchObject({ iss: 'supabase-demo', role });
      expect(payload.exp).toBeGreaterThan(Date.now() / 1000 + 5 * 365 * 24 * 3600);
    }
    expect(keys.privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: keys.kid, alg: 'ES256', key_ops: ['sign', 'verify'] });
    expect(keys.publicJwk).not.toHaveProperty('d');
  });

  it('persists keys with mode 0600 and returns the same keys on the next load', async () => {
    const file = await tempFile();
    const first = await loadOrCreateAuthKeys(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateAuthKeys(file)).toEqual(first);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(first);
  });

  it('refuses a damaged keys file with a message naming it', async () => {
    const file = await tempFile();
    await loadOrCreateAuthKeys(file);
    await writeFile(file, JSON.stringify({ kid: 'x' }));
    await expect(loadOrCreateAuthKeys(file)).rejects.toThrow(file);
  });

  it('verifies service keys and their opaque sb_secret_ alias, and refuses another secret', async () => {
    const keys = await createAuthKeys();
    const material = await loadKeyMaterial(keys);
    expect((await verifyJwt(material, keys.serviceRoleKey)).role).toBe('service_role');
    expect((await verifyJwt(material, keys.secretKey)).role).toBe('service_role');
    expect((await verifyJwt(material, keys.publishableKey)).role).toBe('anon');
    const stranger = await createAuthKeys();
    await expect(verifyJwt(material, stranger.serviceRoleKey)).rejects.toMatchObject({ status: 403, code: 'bad_jwt' });
    await expect(verifyJwt(material, 'not-a-jwt')).rejects.toMatchObject({ status: 403, code: 'bad_jwt' });
  });

  it('makes 12-character lowercase base32 refresh tokens', () => {
    const tokens = new Set(Array.from({ length: 200 }, newRefreshToken));
    expect(tokens.size).toBe(200);
    for (const token of tokens) {
      expect(token).toMatch(/^[a-z2-7]{12}$/);
      expect(isWellFormedRefreshToken(token)).toBe(true);
    }
    expect(isWellFormedRefreshToken('ABCDEFGHIJKL')).toBe(false);
  });
});
