import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { z } from 'zod';

/**
 * Everything the local auth server signs or verifies with.
 * - `privateJwk`/`publicJwk`: the ES256 (P-256) pair that signs user access tokens; `kid` goes in
 *   each token header and in /.well-known/jwks.json. The private JWK has GoTrue's
 *   `GOTRUE_JWT_KEYS` shape, so the same file could feed a real GoTrue.
 * - `jwtSecret`: the legacy HS256 secret; it signs `anonKey` and `serviceRoleKey`.
 * - `publishableKey`/`secretKey`: opaque `sb_publishable_…`/`sb_secret_…` keys, accepted in place
 *   of the anon/service JWTs as the Supabase CLI's gateway does.
 */
export interface AuthKeys {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
}

const jwkSchema = z
  .object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string(), kid: z.string(), alg: z.literal('ES256') })
  .loose();

const authKeysSchema = z.object({
  kid: z.string().min(1),
  privateJwk: jwkSchema.extend({ d: z.string() }),
  publicJwk: jwkSchema,
  jwtSecret: z.string().min(32),
  anonKey: z.string().min(1),
  serviceRoleKey: z.string().min(1),
  publishableKey: z.string().startsWith('sb_publishable_'),
  secretKey: z.string().startsWith('sb_secret_'),
});

// Same shape as the Supabase CLI's keys: {iss: "supabase-demo", role, exp}, HS256 with the JWT secret.
const API_KEY_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

async function signApiKey(role: 'anon' | 'service_role', secret: string): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + API_KEY_LIFETIME_SECONDS;
  return new SignJWT({ iss: 'supabase-demo', role, exp })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

/** Fresh keys, in memory (tests). */
export async function createAuthKeys(): Promise<AuthKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const meta = { kid, alg: 'ES256', use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), ...meta, key_ops: ['sign', 'verify'], ext: true };
  const publicJwk = { ...(await exportJWK(publicKey)), ...meta, key_ops: ['verify'], ext: true };
  const jwtSecret = randomBytes(32).toString('base64url');
  return {
    kid,
    privateJwk,
    publicJwk,
    jwtSecret,
    anonKey: await signApiKey('anon', jwtSecret),
    serviceRoleKey: await signApiKey('service_role', jwtSecret),
    publishableKey: `sb_publishable_${randomBytes(16).toString('base64url')}`,
    secretKey: `sb_secret_${randomBytes(16).toString('base64url')}`,
  };
}

/**
 * Reads keys from `file`, or creates and stores them (mode 0600) when the file does not exist,
 * so tokens and API keys stay valid across restarts of the local stack.
 */
export async function loadOrCreateAuthKeys(file: string): Promise<AuthKeys> {
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== null) {
    const parsed = authKeysSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new Error(`${file} is not a valid auth keys file (${parsed.error.issues[0]?.message}); delete it to create new keys.`);
    }
    return parsed.data as AuthKeys;
  }
  const keys = await createAuthKeys();
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created the file first: use its keys.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateAuthKeys(file);
    throw error;
  }
  await chmod(file, 0o600);
  return keys;
}
