import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { forbidden } from './errors';
import type { AuthKeys } from './keys';

/** Imported key objects, ready to sign and verify. */
export interface KeyMaterial {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  secret: Uint8Array;
  publicJwk: JWK;
  /** Opaque API key → the JWT it stands for (the gateway rewrite of the Supabase CLI). */
  opaqueKeys: Map<string, string>;
}

export async function loadKeyMaterial(keys: AuthKeys): Promise<KeyMaterial> {
  // WebCrypto refuses `verify` among a private key's usages, so key_ops is dropped for the import.
  const { key_ops: _ops, ...privateJwk } = keys.privateJwk;
  return {
    kid: keys.kid,
    privateKey: (await importJWK(privateJwk, 'ES256')) as CryptoKey,
    publicKey: (await importJWK(keys.publicJwk, 'ES256')) as CryptoKey,
    secret: new TextEncoder().encode(keys.jwtSecret),
    publicJwk: keys.publicJwk,
    opaqueKeys: new Map([
      [keys.publishableKey, keys.anonKey],
      [keys.secretKey, keys.serviceRoleKey],
    ]),
  };
}

export interface AmrEntry {
  method: string;
  timestamp: number;
}

/** The access-token claims of GoTrue's `AccessTokenClaims` (contract §4.1). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  email: string;
  phone: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  role: string;
  aal: 'aal1';
  amr: AmrEntry[];
  session_id: string;
  is_anonymous: boolean;
}

export async function signAccessToken(keys: KeyMaterial, claims: AccessTokenClaims): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: keys.kid, typ: 'JWT' }).sign(keys.privateKey);
}

/** Public half of the signing key as /.well-known/jwks.json serves it. */
export function publicJwk(keys: KeyMaterial): JWK {
  const { kty, crv, x, y, kid, alg } = keys.publicJwk;
  return { kty, crv, x, y, kid, alg, use: 'sig', key_ops: ['verify'] };
}

const invalidJwt = (reason: string) => forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);

/**
 * Verifies a bearer token as GoTrue does: a `kid` selects the ES256 key, no `kid` + HS256 uses
 * the legacy secret (anon/service keys). Expiry is enforced. Failure → 403 `bad_jwt`.
 */
export async function verifyJwt(keys: KeyMaterial, token: string): Promise<JWTPayload> {
  const jwt = keys.opaqueKeys.get(token) ?? token;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw invalidJwt('token is malformed');
  }
  try {
    if (header.kid !== undefined) {
      if (header.kid !== keys.kid) throw invalidJwt(`token is unverifiable: invalid kid: ${header.kid}`);
      return (await jwtVerify(jwt, keys.publicKey, { algorithms: ['ES256'] })).payload;
    }
    if (header.alg === 'HS256') return (await jwtVerify(jwt, keys.secret, { algorithms: ['HS256'] })).payload;
  } catch (error) {
    if (error instanceof Error && error.name === 'AuthError') throw error;
    throw invalidJwt((error as Error).message);
  }
  throw invalidJwt(`signing method ${String(header.alg)} is invalid`);
}

// crypto.SecureAlphanumeric(12) in GoTrue: 12 chars of lowercase base32, stored in clear (v1 tokens).
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function newRefreshToken(): string {
  return Array.from(randomBytes(12), (byte) => BASE32[byte & 31]).join('');
}

export function isWellFormedRefreshToken(token: string): boolean {
  return /^[a-z0-9]{12}$/.test(token);
}
