import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptChannelSecret, decryptCredentials, encryptChannelSecret, generateKeyEntry, parseKeyring, tokenKeyId, type AwsCredentials } from '@/lib/vault';
import { randomUUID } from 'node:crypto';
import { adminSql, closeAdminSql, createTestIntegration, createTestOrg, type TestIntegration, type TestOrg } from './test/fixtures';
import { countTokensByKey, rotateVaultTokens } from './vault-rotate';

/**
 * vault:rotate over integrations of two orgs written under an old key: a dry run changes nothing,
 * a real run (in small batches) moves every token to the new first key, a second run is a no-op,
 * and every token still decrypts to its credentials for its own row only.
 */
// Key ids unique to this suite, so counts are not disturbed by other suites' rows.
const oldEntry = generateKeyEntry('rot-old');
const newEntry = generateKeyEntry('rot-new');
const oldKeyring = parseKeyring(oldEntry);
const rotatedKeyring = parseKeyring(`${newEntry},${oldEntry}`);

let orgs: TestOrg[];
const rows: Array<TestIntegration & { credentials: AwsCredentials }> = [];

async function tokensOf(ids: string[]) {
  const found = await adminSql()<{ id: string; org_id: string; credentials: string }[]>`
    select id, org_id, credentials from public.integrations where id = any(${ids}::uuid[])`;
  return new Map(found.map((r) => [r.id, r]));
}

/** Counts of this suite's tokens only (the table is shared with other suites). */
async function suiteCounts(): Promise<Record<string, number>> {
  const all = await countTokensByKey(adminSql());
  return Object.fromEntries(Object.entries(all).filter(([keyId]) => keyId.startsWith('rot-')));
}

beforeAll(async () => {
  orgs = [await createTestOrg('rot-a'), await createTestOrg('rot-b')];
  for (const [o, org] of orgs.entries()) {
    for (let i = 0; i < 4; i += 1) {
      const credentials = { accessKeyId: `AKIAROTATE${o}${i}0000000`, secretAccessKey: `rotate-secret-${o}-${i}-`.padEnd(40, 'x') };
      rows.push({ ...(await createTestIntegration(org, { credentials, keyring: oldKeyring })), credentials });
    }
  }
  // A role-based integration has no token and must be left alone.
  await createTestIntegration(orgs[0]!, { authType: 'assume_role' });
});

/** Failures among this suite's rows (other suites' tokens are under the global test key). */
const ours = (failed: Array<{ orgId: string }>) => failed.filter((f) => orgs.some((o) => o.id === f.orgId));

afterAll(async () => {
  await closeAdminSql();
});

describe('vault:rotate', () => {
  it('a dry run reports what it would do and writes nothing', async () => {
    const before = await tokensOf(rows.map((r) => r.id));
    const report = await rotateVaultTokens(adminSql(), rotatedKeyring, { dryRun: true, batchSize: 3 });
    expect(report.dryRun).toBe(true);
    expect(report.primaryKeyId).toBe('rot-new');
    expect(report.before['rot-old']).toBe(8);
    expect(report.after['rot-old']).toBe(8);
    expect(report.after['rot-new']).toBeUndefined();
    expect(ours(report.failed)).toEqual([]);
    expect(report.rotated).toBeGreaterThanOrEqual(8);
    expect(await tokensOf(rows.map((r) => r.id))).toEqual(before);
  });

  it('re-encrypts every token under the first key, in batches, keeping the credentials and their binding', async () => {
    const report = await rotateVaultTokens(adminSql(), rotatedKeyring, { batchSize: 3 });
    expect(ours(report.failed)).toEqual([]);
    expect(report.before['rot-old']).toBe(8);
    expect(report.after['rot-old']).toBeUndefined();
    expect(report.after['rot-new']).toBe(8);
    expect(await suiteCounts()).toEqual({ 'rot-new': 8 });
    expect(report.remaining).toBe(Object.entries(report.after).filter(([k]) => k !== 'rot-new').reduce((s, [, n]) => s + n, 0));

    const stored = await tokensOf(rows.map((r) => r.id));
    const newOnly = parseKeyring(newEntry);
    for (const row of rows) {
      const token = stored.get(row.id)!.credentials;
      expect(tokenKeyId(token)).toBe('rot-new');
      expect(token).not.toBe(row.token);
      // Readable without the old key, and still bound to its own row.
      expect(decryptCredentials(newOnly, { orgId: row.orgId, integrationId: row.id }, token)).toEqual(row.credentials);
      const other = rows.find((r) => r.orgId !== row.orgId)!;
      expect(() => decryptCredentials(newOnly, { orgId: other.orgId, integrationId: row.id }, token)).toThrow(/could not decrypt/);
    }
  });

  it('a second run changes nothing', async () => {
    const before = await tokensOf(rows.map((r) => r.id));
    const report = await rotateVaultTokens(adminSql(), rotatedKeyring, { batchSize: 3 });
    expect(ours(report.failed)).toEqual([]);
    expect(report.before).toEqual(report.after);
    expect(await tokensOf(rows.map((r) => r.id))).toEqual(before);
    expect(await suiteCounts()).toEqual({ 'rot-new': 8 });
  });

  it('reports tokens it cannot decrypt, leaves them as they are, and carries on', async () => {
    const stray = await createTestIntegration(orgs[1]!, { keyring: parseKeyring(generateKeyEntry('rot-lost')) });
    const movable = await createTestIntegration(orgs[1]!, { keyring: oldKeyring, credentials: rows[0]!.credentials });
    const report = await rotateVaultTokens(adminSql(), rotatedKeyring, { batchSize: 1 });
    expect(report.failed).toContainEqual({ id: stray.id, orgId: orgs[1]!.id, keyId: 'rot-lost', code: 'UNKNOWN_KEY' });
    expect(report.failed.some((f) => f.id === movable.id)).toBe(false);
    expect(JSON.stringify(report)).not.toContain(rows[0]!.credentials.secretAccessKey);
    const stored = await tokensOf([stray.id, movable.id]);
    expect(stored.get(stray.id)!.credentials).toBe(stray.token);
    expect(tokenKeyId(stored.get(movable.id)!.credentials)).toBe('rot-new');
    expect(report.remaining).toBeGreaterThanOrEqual(1);
    await adminSql()`delete from public.integrations where id = ${stray.id}`;
  });

  it('skips rows another transaction holds, and a later run finishes them', async () => {
    const held = await createTestIntegration(orgs[0]!, { keyring: oldKeyring });
    const free = await createTestIntegration(orgs[0]!, { keyring: oldKeyring });
    const locker = adminSql();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = locker.begin(async (tx) => {
      await tx`select id from public.integrations where id = ${held.id} for update`;
      locked();
      await released;
    });
    await isLocked;
    // The fixture pool has two connections: one holds the lock, the other runs the rotation.
    const first = await rotateVaultTokens(adminSql(), rotatedKeyring, { batchSize: 10 });
    release();
    await holding;
    const afterFirst = await tokensOf([held.id, free.id]);
    expect(afterFirst.get(held.id)!.credentials).toBe(held.token);
    expect(tokenKeyId(afterFirst.get(free.id)!.credentials)).toBe('rot-new');
    expect(first.remaining).toBeGreaterThanOrEqual(1);

    await rotateVaultTokens(adminSql(), rotatedKeyring, { batchSize: 10 });
    const afterSecond = await tokensOf([held.id]);
    expect(tokenKeyId(afterSecond.get(held.id)!.credentials)).toBe('rot-new');
    expect(await suiteCounts()).toEqual({ 'rot-new': 11 });
  });
  it('moves webhook signing secrets of notification channels too, each still bound to its channel', async () => {
    const id = randomUUID();
    const secret = 'whsec_rotation-test-secret-0123456789';
    const token = encryptChannelSecret(oldKeyring, { orgId: orgs[0]!.id, channelId: id }, secret);
    await adminSql()`
      insert into public.notification_channels (id, org_id, name, kind, webhook_url, webhook_url_hint, webhook_secret)
      values (${id}, ${orgs[0]!.id}, 'Rotating hook', 'webhook', 'https://hooks.example.com/x', 'https://hooks.example.com/…', ${token})`;
    const report = await rotateVaultTokens(adminSql(), rotatedKeyring, { batchSize: 10 });
    expect(ours(report.failed)).toEqual([]);
    expect(JSON.stringify(report)).not.toContain(secret);
    const [row] = await adminSql()<{ webhook_secret: string }[]>`select webhook_secret from public.notification_channels where id = ${id}`;
    expect(tokenKeyId(row!.webhook_secret)).toBe('rot-new');
    expect(decryptChannelSecret(parseKeyring(newEntry), { orgId: orgs[0]!.id, channelId: id }, row!.webhook_secret)).toBe(secret);
    await adminSql()`delete from public.notification_channels where id = ${id}`;
  });
});
