import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * The credential vault (design §5): AES-256-GCM tokens `v1.<keyId>.<iv>.<ciphertext>.<tag>` bound
 * to their integration row by the additional authenticated data. Shared by the app and the worker,
 * so no next/* or server-only imports. Errors never carry key material, tokens or plaintext.
 */

export const VAULT_KEYS_ENV = 'FLEETLINE_VAULT_KEYS';

const TOKEN_VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type VaultErrorCode =
  | 'KEYRING'
  | 'MALFORMED_TOKEN'
  | 'UNKNOWN_KEY'
  | 'DECRYPT_FAILED'
  | 'INVALID_AAD'
  | 'INVALID_CREDENTIALS';

export class VaultError extends Error {
  override name = 'VaultError';
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    /** For KEYRING errors: the problem without the variable's name (env.ts adds it itself). */
    readonly reason: string = message,
  ) {
    super(message);
  }
}

function keyringError(reason: string): VaultError {
  return new VaultError('KEYRING', `${VAULT_KEYS_ENV}: ${reason}`, reason);
}

export const awsCredentialsSchema = z.strictObject({
  accessKeyId: z.string().min(1).max(128),
  secretAccessKey: z.string().min(1).max(128),
  sessionToken: z.string().min(1).max(8192).optional(),
});
export type AwsCredentials = z.infer<typeof awsCredentialsSchema>;

/** The row a token belongs to; both are the row's uuids. */
export interface VaultAad {
  orgId: string;
  integrationId: string;
}

// Key bytes stay in this module (KeyObjects in a WeakMap): a keyring logged or serialised shows ids only.
const keyMaterial = new WeakMap<Keyring, ReadonlyMap<string, KeyObject>>();

function keyFor(keyring: Keyring, keyId: string): KeyObject | undefined {
  return keyMaterial.get(keyring)?.get(keyId);
}

/** Keys by id; the first one encrypts, all of them decrypt. Build it with parseKeyring. */
export class Keyring {
  readonly primaryKeyId: string;
  readonly keyIds: readonly string[];

  constructor(entries: ReadonlyArray<readonly [keyId: string, key: KeyObject]>) {
    const first = entries[0];
    if (!first) throw keyringError('needs at least one key');
    this.primaryKeyId = first[0];
    this.keyIds = Object.freeze(entries.map(([keyId]) => keyId));
    keyMaterial.set(this, new Map(entries));
  }

  has(keyId: string): boolean {
    return keyMaterial.get(this)?.has(keyId) ?? false;
  }

  toJSON() {
    return { primaryKeyId: this.primaryKeyId, keyIds: [...this.keyIds] };
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Keyring ${JSON.stringify(this.toJSON())}`;
  }
}

/** Parses `FLEETLINE_VAULT_KEYS` (`<keyId>:<base64 of 32 bytes>`, comma-separated, first encrypts). */
export function parseKeyring(value: string | undefined): Keyring {
  if (value === undefined || value.trim() === '') throw keyringError('is required (comma-separated <keyId>:<base64 of 32 bytes>)');
  const entries: Array<[string, KeyObject]> = [];
  const seen = new Set<string>();
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const n = index + 1;
    const colon = entry.indexOf(':');
    // Never echo the entry: a malformed one may be a bare key.
    if (colon <= 0) throw keyringError(`entry ${n} is not <keyId>:<base64 key>`);
    const keyId = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KEY_ID.test(keyId)) throw keyringError(`entry ${n} has an invalid key id (use 1-32 of A-Z a-z 0-9 _ -)`);
    if (seen.has(keyId)) throw keyringError(`key id "${keyId}" appears more than once`);
    if (!BASE64_KEY.test(encoded)) throw keyringError(`key "${keyId}" is not base64`);
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length !== KEY_BYTES) throw keyringError(`key "${keyId}" must be base64 of exactly ${KEY_BYTES} bytes (got ${bytes.length})`);
    seen.add(keyId);
    entries.push([keyId, createSecretKey(bytes)]);
    bytes.fill(0);
  });
  return new Keyring(entries);
}

/** A new keyring entry `<keyId>:<base64 of 32 random bytes>` (the local stack and tests use it). */
export function generateKeyEntry(keyId = 'k1'): string {
  if (!KEY_ID.test(keyId)) throw new VaultError('KEYRING', 'invalid key id');
  return `${keyId}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

function aadBytes({ orgId, integrationId }: VaultAad): Buffer {
  if (!UUID.test(orgId) || !UUID.test(integrationId)) {
    throw new VaultError('INVALID_AAD', 'vault: orgId and integrationId must be uuids');
  }
  // Postgres prints uuids in lower case; normalise so callers cannot miss by case alone.
  return Buffer.from(`fleetline:integration:${orgId.toLowerCase()}:${integrationId.toLowerCase()}`, 'utf8');
}

interface ParsedToken {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function decodePart(part: string, what: string): Buffer {
  const bytes = BASE64URL.test(part) ? Buffer.from(part, 'base64url') : null;
  // Only the canonical encoding is accepted, so one ciphertext has exactly one token.
  if (!bytes || bytes.toString('base64url') !== part) throw new VaultError('MALFORMED_TOKEN', `vault: malformed token (${what})`);
  return bytes;
}

function parseToken(token: string): ParsedToken {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 5) throw new VaultError('MALFORMED_TOKEN', 'vault: malformed token (expected 5 parts)');
  const [version, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  if (version !== TOKEN_VERSION) throw new VaultError('MALFORMED_TOKEN', 'vault: malformed token (unknown version)');
  if (!KEY_ID.test(keyId)) throw new VaultError('MALFORMED_TOKEN', 'vault: malformed token (key id)');
  const parsed = { keyId, iv: decodePart(iv, 'iv'), ciphertext: decodePart(ciphertext, 'ciphertext'), tag: decodePart(tag, 'tag') };
  if (parsed.iv.length !== IV_BYTES) throw new VaultError('MALFORMED_TOKEN', 'vault: malformed token (iv length)');
  if (parsed.tag.length !== TAG_BYTES) throw new VaultError('MALFORMED_TOKEN', 'vault: malformed token (tag length)');
  return parsed;
}

/** Encrypts credentials for one integration row under the keyring's first key. */
export function encryptCredentials(keyring: Keyring, aad: VaultAad, credentials: AwsCredentials): string {
  const parsed = awsCredentialsSchema.safeParse(credentials);
  if (!parsed.success) throw new VaultError('INVALID_CREDENTIALS', 'vault: credentials must have accessKeyId and secretAccessKey');
  const { accessKeyId, secretAccessKey, sessionToken } = parsed.data;
  const plaintext = Buffer.from(JSON.stringify(sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken }), 'utf8');
  const keyId = keyring.primaryKeyId;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(keyring, keyId)!, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadBytes(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  plaintext.fill(0);
  const tag = cipher.getAuthTag();
  return [TOKEN_VERSION, keyId, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
}

/** Decrypts a token for the row it belongs to; any mismatch (key, row, bit flip) is DECRYPT_FAILED. */
export function decryptCredentials(keyring: Keyring, aad: VaultAad, token: string): AwsCredentials {
  const { keyId, iv, ciphertext, tag } = parseToken(token);
  const key = keyFor(keyring, keyId);
  if (!key) throw new VaultError('UNKNOWN_KEY', `vault: no key "${keyId}" in ${VAULT_KEYS_ENV}`);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aadBytes(aad));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (error) {
    if (error instanceof VaultError) throw error;
    throw new VaultError('DECRYPT_FAILED', 'vault: could not decrypt the credentials (wrong key, or the token was altered or belongs to another integration)');
  }
  try {
    const parsed = awsCredentialsSchema.safeParse(JSON.parse(plaintext.toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: not JSON
  } finally {
    plaintext.fill(0);
  }
  throw new VaultError('INVALID_CREDENTIALS', 'vault: the decrypted credentials are not in the expected shape');
}

/** The id of the key a token was encrypted with (throws MALFORMED_TOKEN on a bad token). */
export function tokenKeyId(token: string): string {
  return parseToken(token).keyId;
}

/** True when the token is not under the keyring's first key. */
export function needsRotation(keyring: Keyring, token: string): boolean {
  return tokenKeyId(token) !== keyring.primaryKeyId;
}

/** Re-encrypts a token under the first key; returns it unchanged when it already is. */
export function reencryptToken(keyring: Keyring, aad: VaultAad, token: string): string {
  const credentials = decryptCredentials(keyring, aad, token);
  return needsRotation(keyring, token) ? encryptCredentials(keyring, aad, credentials) : token;
}

/**
 * HMAC-SHA256 (base64url) of `data` under a subkey derived with HKDF from one keyring key and a
 * purpose, so the server can sign non-secret state it hands to the browser without another secret.
 * Null when the keyring has no such key.
 */
export function keyringMac(keyring: Keyring, purpose: string, data: string, keyId: string = keyring.primaryKeyId): string | null {
  const key = keyFor(keyring, keyId);
  if (!key) return null;
  const subkey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `fleetline:mac:${purpose}`, 32));
  const mac = createHmac('sha256', subkey).update(data, 'utf8').digest('base64url');
  subkey.fill(0);
  return mac;
}

/** What the UI shows instead of the key: `AKIA…WXYZ`; short ids reveal less. */
export function credentialsHint(accessKeyId: string): string {
  const id = accessKeyId.trim();
  if (id.length >= 12) return `${id.slice(0, 4)}…${id.slice(-4)}`;
  const tail = Math.floor(id.length / 4);
  return tail > 0 ? `…${id.slice(-tail)}` : '…';
}

/** The notification channel a webhook signing secret belongs to; both are the row's uuids. */
export interface ChannelAad {
  orgId: string;
  channelId: string;
}

function channelAadBytes({ orgId, channelId }: ChannelAad): Buffer {
  if (!UUID.test(orgId) || !UUID.test(channelId)) throw new VaultError('INVALID_AAD', 'vault: orgId and channelId must be uuids');
  return Buffer.from(`fleetline:channel:${orgId.toLowerCase()}:${channelId.toLowerCase()}`, 'utf8');
}

/** Encrypts a webhook signing secret for one channel row (same token format as credentials, §5). */
export function encryptChannelSecret(keyring: Keyring, aad: ChannelAad, secret: string): string {
  if (typeof secret !== 'string' || secret.length < 16 || secret.length > 256) throw new VaultError('INVALID_CREDENTIALS', 'vault: a signing secret must be 16-256 characters');
  const plaintext = Buffer.from(secret, 'utf8');
  const keyId = keyring.primaryKeyId;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(keyring, keyId)!, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(channelAadBytes(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  plaintext.fill(0);
  const tag = cipher.getAuthTag();
  return [TOKEN_VERSION, keyId, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
}

/** Decrypts a channel's signing secret; a token of another row, tenant or purpose is DECRYPT_FAILED. */
export function decryptChannelSecret(keyring: Keyring, aad: ChannelAad, token: string): string {
  const { keyId, iv, ciphertext, tag } = parseToken(token);
  const key = keyFor(keyring, keyId);
  if (!key) throw new VaultError('UNKNOWN_KEY', `vault: no key "${keyId}" in ${VAULT_KEYS_ENV}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(channelAadBytes(aad));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch (error) {
    if (error instanceof VaultError) throw error;
    throw new VaultError('DECRYPT_FAILED', 'vault: could not decrypt the signing secret (wrong key, or the token was altered or belongs to another channel)');
  }
}
