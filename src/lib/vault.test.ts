import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  credentialsHint,
  decryptCredentials,
  encryptCredentials,
  generateKeyEntry,
  needsRotation,
  parseKeyring,
  reencryptToken,
  tokenKeyId,
  VaultError,
  type AwsCredentials,
  type VaultAad,
} from './vault';

const creds: AwsCredentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const aad = (): VaultAad => ({ orgId: randomUUID(), integrationId: randomUUID() });
const keyB64 = () => randomBytes(32).toString('base64');

/** Rebuilds a token with one part replaced (parts: 0 v1, 1 keyId, 2 iv, 3 ciphertext, 4 tag). */
function withPart(token: string, index: number, change: (bytes: Buffer) => Buffer): string {
  const parts = token.split('.');
  parts[index] = change(Buffer.from(parts[index]!, 'base64url')).toString('base64url');
  return parts.join('.');
}
const flipFirstBit = (bytes: Buffer) => {
  const copy = Buffer.from(bytes);
  copy[0] = copy[0]! ^ 0x01;
  return copy;
};

function vaultError(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    return error as VaultError;
  }
  throw new Error('expected a VaultError');
}

describe('encrypt and decrypt', () => {
  const keyring = parseKeyring(generateKeyEntry('k1'));

  it('round-trips credentials, with and without a session token', () => {
    const row = aad();
    expect(decryptCredentials(keyring, row, encryptCredentials(keyring, row, creds))).toEqual(creds);
    const session = { ...creds, accessKeyId: 'ASIAIOSFODNN7EXAMPLE', sessionToken: 'FwoGZXIvYXdzE'.repeat(40) };
    expect(decryptCredentials(keyring, row, encryptCredentials(keyring, row, session))).toEqual(session);
  });

  it('writes v1.<keyId>.<iv>.<ciphertext>.<tag> in unpadded base64url with a 12-byte IV and a 16-byte tag', () => {
    const token = encryptCredentials(keyring, aad(), creds);
    const parts = token.split('.');
    expect(parts).toHaveLength(5);
    const [version, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
    expect(version).toBe('v1');
    expect(keyId).toBe('k1');
    for (const part of [iv, ciphertext, tag]) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    // GCM is a stream mode: the ciphertext is exactly as long as the JSON plaintext.
    expect(Buffer.from(ciphertext, 'base64url')).toHaveLength(Buffer.byteLength(JSON.stringify(creds)));
    expect(token).not.toContain(creds.secretAccessKey);
    expect(token).not.toContain(creds.accessKeyId);
  });

  it('uses a fresh IV for every encryption', () => {
    const row = aad();
    const a = encryptCredentials(keyring, row, creds);
    const b = encryptCredentials(keyring, row, creds);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('refuses a wrong key with the same id', () => {
    const row = aad();
    const token = encryptCredentials(keyring, row, creds);
    const impostor = parseKeyring(generateKeyEntry('k1'));
    expect(vaultError(() => decryptCredentials(impostor, row, token)).code).toBe('DECRYPT_FAILED');
  });

  it.each([
    ['iv', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ])('refuses a token whose %s was altered', (_part, index) => {
    const row = aad();
    const tampered = withPart(encryptCredentials(keyring, row, creds), index, flipFirstBit);
    const error = vaultError(() => decryptCredentials(keyring, row, tampered));
    expect(error.code).toBe('DECRYPT_FAILED');
    expect(error.message).toMatch(/could not decrypt/);
  });

  it('refuses a token moved to another organization or another integration', () => {
    const row = aad();
    const token = encryptCredentials(keyring, row, creds);
    expect(vaultError(() => decryptCredentials(keyring, { ...row, orgId: randomUUID() }, token)).code).toBe('DECRYPT_FAILED');
    expect(vaultError(() => decryptCredentials(keyring, { ...row, integrationId: randomUUID() }, token)).code).toBe('DECRYPT_FAILED');
    // Swapping the two ids is a different AAD too.
    expect(vaultError(() => decryptCredentials(keyring, { orgId: row.integrationId, integrationId: row.orgId }, token)).code).toBe('DECRYPT_FAILED');
  });

  it('accepts the ids in either case, since Postgres prints uuids in lower case', () => {
    const row = aad();
    const token = encryptCredentials(keyring, { orgId: row.orgId.toUpperCase(), integrationId: row.integrationId }, creds);
    expect(decryptCredentials(keyring, row, token)).toEqual(creds);
  });

  it('refuses ids that are not uuids', () => {
    expect(vaultError(() => encryptCredentials(keyring, { orgId: 'a:b', integrationId: randomUUID() }, creds)).code).toBe('INVALID_AAD');
  });

  it('names an unknown key id without decrypting', () => {
    const row = aad();
    const token = encryptCredentials(parseKeyring(generateKeyEntry('gone')), row, creds);
    const error = vaultError(() => decryptCredentials(keyring, row, token));
    expect(error.code).toBe('UNKNOWN_KEY');
    expect(error.message).toContain('"gone"');
  });

  it.each([
    ['too few parts', (t: string) => t.split('.').slice(0, 4).join('.')],
    ['another version', (t: string) => t.replace(/^v1\./, 'v2.')],
    ['padding', (t: string) => `${t}=`],
    ['standard base64 characters', (t: string) => t.replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAA+/')],
    ['a short IV', (t: string) => withPart(t, 2, (b) => b.subarray(0, 8))],
    ['a short tag', (t: string) => withPart(t, 4, (b) => b.subarray(0, 12))],
    ['an empty ciphertext', (t: string) => t.split('.').map((p, i) => (i === 3 ? '' : p)).join('.')],
    ['a key id with a bad character', (t: string) => t.replace(/^v1\.k1\./, 'v1.k!.')],
  ])('refuses a malformed token (%s)', (_what, mangle) => {
    const row = aad();
    const error = vaultError(() => decryptCredentials(keyring, row, mangle(encryptCredentials(keyring, row, creds))));
    expect(error.code).toBe('MALFORMED_TOKEN');
  });

  it('refuses a non-canonical base64url encoding of the same bytes', () => {
    const row = aad();
    const token = encryptCredentials(keyring, row, creds);
    // A 16-byte tag is 22 characters; the last one carries 4 unused bits. Setting one keeps the bytes.
    const parts = token.split('.');
    const tag = parts[4]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const lastIndex = alphabet.indexOf(tag.at(-1)!);
    parts[4] = tag.slice(0, -1) + alphabet[lastIndex ^ 0x01];
    expect(Buffer.from(parts[4], 'base64url')).toEqual(Buffer.from(tag, 'base64url'));
    expect(vaultError(() => decryptCredentials(keyring, row, parts.join('.'))).code).toBe('MALFORMED_TOKEN');
  });

  it('validates the credentials on the way in', () => {
    const bad = { accessKeyId: '', secretAccessKey: 'x' } as AwsCredentials;
    expect(vaultError(() => encryptCredentials(keyring, aad(), bad)).code).toBe('INVALID_CREDENTIALS');
  });

  it('never puts the secret or the key in an error message', () => {
    const entry = generateKeyEntry('k1');
    const ring = parseKeyring(entry);
    const row = aad();
    const token = encryptCredentials(ring, row, creds);
    const messages = [
      vaultError(() => decryptCredentials(ring, { ...row, orgId: randomUUID() }, token)).message,
      vaultError(() => decryptCredentials(parseKeyring(generateKeyEntry('k1')), row, token)).message,
      vaultError(() => decryptCredentials(ring, row, withPart(token, 3, flipFirstBit))).message,
    ];
    for (const message of messages) {
      expect(message).not.toContain(creds.secretAccessKey);
      expect(message).not.toContain(entry.split(':')[1]);
      expect(message).not.toContain(token);
    }
  });
});

describe('key rotation', () => {
  it('keeps old tokens readable after a new key is put first, and encrypts new ones under it', () => {
    const oldEntry = generateKeyEntry('k1');
    const before = parseKeyring(oldEntry);
    const row = aad();
    const oldToken = encryptCredentials(before, row, creds);

    const after = parseKeyring(`${generateKeyEntry('k2')},${oldEntry}`);
    expect(after.primaryKeyId).toBe('k2');
    expect(decryptCredentials(after, row, oldToken)).toEqual(creds);
    expect(tokenKeyId(encryptCredentials(after, row, creds))).toBe('k2');
  });

  it('re-encrypts tokens not under the first key, and leaves current ones alone', () => {
    const oldEntry = generateKeyEntry('k1');
    const row = aad();
    const oldToken = encryptCredentials(parseKeyring(oldEntry), row, creds);
    const newEntry = generateKeyEntry('k2');
    const keyring = parseKeyring(`${newEntry},${oldEntry}`);

    expect(needsRotation(keyring, oldToken)).toBe(true);
    const rotated = reencryptToken(keyring, row, oldToken);
    expect(tokenKeyId(rotated)).toBe('k2');
    expect(needsRotation(keyring, rotated)).toBe(false);
    expect(reencryptToken(keyring, row, rotated)).toBe(rotated);
    // The new token no longer needs the old key, and still belongs to its row only.
    expect(decryptCredentials(parseKeyring(newEntry), row, rotated)).toEqual(creds);
    expect(vaultError(() => decryptCredentials(keyring, { ...row, integrationId: randomUUID() }, rotated)).code).toBe('DECRYPT_FAILED');
  });

  it('refuses to re-encrypt a token it cannot read', () => {
    const row = aad();
    const foreign = encryptCredentials(parseKeyring(generateKeyEntry('k1')), row, creds);
    const keyring = parseKeyring(`${generateKeyEntry('k2')},${generateKeyEntry('k1')}`);
    expect(vaultError(() => reencryptToken(keyring, row, foreign)).code).toBe('DECRYPT_FAILED');
  });
});

describe('parseKeyring', () => {
  const secret = keyB64();

  it.each([
    ['missing', undefined, /FLEETLINE_VAULT_KEYS: is required/],
    ['empty', '  ', /FLEETLINE_VAULT_KEYS: is required/],
    ['a short key', `k1:${randomBytes(16).toString('base64')}`, /FLEETLINE_VAULT_KEYS: key "k1" must be base64 of exactly 32 bytes \(got 16\)/],
    ['a long key', `k1:${randomBytes(48).toString('base64')}`, /FLEETLINE_VAULT_KEYS: key "k1" must be base64 of exactly 32 bytes/],
    ['a duplicate id', `k1:${keyB64()},k1:${keyB64()}`, /FLEETLINE_VAULT_KEYS: key id "k1" appears more than once/],
    ['a bare key', secret, /FLEETLINE_VAULT_KEYS: entry 1 is not <keyId>:<base64 key>/],
    ['an empty entry', `k1:${keyB64()},,k2:${keyB64()}`, /FLEETLINE_VAULT_KEYS: entry 2 is not/],
    ['a key id with a dot', `k.1:${keyB64()}`, /FLEETLINE_VAULT_KEYS: entry 1 has an invalid key id/],
    ['a key that is not base64', `k1:${secret.slice(0, 20)}!!${secret.slice(22)}`, /FLEETLINE_VAULT_KEYS: key "k1" is not base64/],
  ])('names the variable for %s', (_what, value, message) => {
    const error = vaultError(() => parseKeyring(value));
    expect(error.code).toBe('KEYRING');
    expect(error.message).toMatch(message);
  });

  it('never echoes key material', () => {
    const values = [secret, `k1:${secret},k1:${secret}`, `k1:${secret.slice(0, 30)}`, `k1:${secret}!`, `bad id:${secret}`];
    for (const value of values) {
      const error = vaultError(() => parseKeyring(value));
      expect(error.message).not.toContain(secret.slice(0, 16));
      expect(inspect(error)).not.toContain(secret.slice(0, 16));
    }
  });

  it('reads several keys, trims spaces, and the first one encrypts', () => {
    const ring = parseKeyring(` k2:${keyB64()} , k1:${keyB64()}`);
    expect(ring.primaryKeyId).toBe('k2');
    expect(ring.keyIds).toEqual(['k2', 'k1']);
  });

  it('accepts unpadded and url-safe base64', () => {
    const bytes = randomBytes(32);
    expect(parseKeyring(`a:${bytes.toString('base64url')}`).keyIds).toEqual(['a']);
  });

  it('shows only key ids when logged or serialised', () => {
    const ring = parseKeyring(`k1:${secret}`);
    const raw = Buffer.from(secret, 'base64');
    for (const shown of [inspect(ring, { depth: 10, showHidden: true }), JSON.stringify(ring), String(ring)]) {
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain(raw.toString('hex'));
    }
    expect(JSON.parse(JSON.stringify(ring))).toEqual({ primaryKeyId: 'k1', keyIds: ['k1'] });
  });
});

describe('server env', () => {
  const base = { DATABASE_URL: 'postgres://h/db', SUPABASE_URL: 'http://127.0.0.1:54321', SUPABASE_ANON_KEY: 'x'.repeat(20) };

  async function loadServerEnv(vars: Record<string, string | undefined>) {
    vi.resetModules();
    for (const [name, value] of Object.entries({ ...base, FLEETLINE_VAULT_KEYS: undefined, ...vars })) vi.stubEnv(name, value);
    const { serverEnv } = await import('./env');
    return serverEnv;
  }

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('stops start-up naming the variable when the keyring is missing or bad, without the key', async () => {
    const short = randomBytes(16).toString('base64');
    const bad = await loadServerEnv({ FLEETLINE_VAULT_KEYS: `k1:${short}` });
    const error = (() => {
      try {
        bad();
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected serverEnv() to throw');
    })();
    expect(error.name).toBe('EnvError');
    expect(error.message).toMatch(/FLEETLINE_VAULT_KEYS: key "k1" must be base64 of exactly 32 bytes/);
    expect(error.message).not.toContain(short);
    const missing = await loadServerEnv({});
    expect(missing).toThrow(/FLEETLINE_VAULT_KEYS: is required/);
  });

  it('hands the parsed keyring to the server', async () => {
    const serverEnv = await loadServerEnv({ FLEETLINE_VAULT_KEYS: `${generateKeyEntry('k9')},${generateKeyEntry('k8')}` });
    expect(serverEnv().FLEETLINE_VAULT_KEYS.keyIds).toEqual(['k9', 'k8']);
  });
});

describe('credentialsHint', () => {
  it('shows the first and last four characters of an access key id', () => {
    expect(credentialsHint('AKIAIOSFODNN7EXAMPLE')).toBe('AKIA…MPLE');
  });

  it('reveals less of a short id', () => {
    expect(credentialsHint('ABCDEFGH')).toBe('…GH');
    expect(credentialsHint('ABC')).toBe('…');
  });
});
