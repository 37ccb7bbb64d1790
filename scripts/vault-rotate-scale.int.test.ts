import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationCredentials } from '@/lib/aws/clients';
import { credentialsHint, encryptCredentials, generateKeyEntry, parseKeyring, tokenKeyId } from '@/lib/vault';
import { ROOT } from './stack/config';
import { adminSql, closeAdminSql, createTestOrg, type TestOrg } from './test/fixtures';
import { rotateVaultTokens } from './vault-rotate';

/**
 * `npm run vault:rotate` over 1,000 integrations: the CLI is killed part-way, a re-run finishes the
 * job, and the app's read path (integrationCredentials) decrypts every integration throughout.
 */
const COUNT = 1000;
const oldEntry = generateKeyEntry('scale-old');
const newEntry = generateKeyEntry('scale-new');
const rotated = parseKeyring(`${newEntry},${oldEntry}`);

let org: TestOrg;
const secrets = new Map<string, string>();

const secretFor = (i: number) => `scale-secret-${i}-`.padEnd(40, 'z');

async function rows() {
  return adminSql()<{ id: string; credentials: string }[]>`
    select id, credentials from public.integrations where org_id = ${org.id}`;
}

/** Reads and decrypts every integration the way the worker does; returns how many failed. */
async function readAll(): Promise<number> {
  let failures = 0;
  for (const row of await rows()) {
    try {
      const creds = integrationCredentials(
        { orgId: org.id, integrationId: row.id, region: 'us-east-1', authType: 'access_keys', credentials: row.credentials, roleArn: null, externalId: null, customEndpoint: null, iotDataEndpoint: null },
        rotated,
        {},
      ) as { secretAccessKey: string };
      if (creds.secretAccessKey !== secrets.get(row.id)) failures += 1;
    } catch {
      failures += 1;
    }
  }
  return failures;
}

async function countByKey(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const row of await rows()) {
    const keyId = tokenKeyId(row.credentials);
    counts[keyId] = (counts[keyId] ?? 0) + 1;
  }
  return counts;
}

beforeAll(async () => {
  org = await createTestOrg('rot-scale');
  const oldKeyring = parseKeyring(oldEntry);
  const values = Array.from({ length: COUNT }, (_, i) => {
    const id = crypto.randomUUID();
    const credentials = { accessKeyId: `AKIASCALE${String(i).padStart(11, '0')}`, secretAccessKey: secretFor(i) };
    secrets.set(id, credentials.secretAccessKey);
    return {
      id,
      org_id: org.id,
      name: `scale-${i}`,
      region: 'us-east-1',
      auth_type: 'access_keys',
      credentials: encryptCredentials(oldKeyring, { orgId: org.id, integrationId: id }, credentials),
      credentials_hint: credentialsHint(credentials.accessKeyId),
    };
  });
  for (let i = 0; i < values.length; i += 250) {
    await adminSql()`insert into public.integrations ${adminSql()(values.slice(i, i + 250))}`;
  }
  // Slow each re-encryption of this org's rows a little, so the CLI is reliably killed part-way.
  await adminSql().unsafe(`
    create function public.test_slow_rotation() returns trigger language plpgsql as $$
    begin perform pg_sleep(0.004); return new; end $$;
    create trigger test_slow_rotation before update of credentials on public.integrations
      for each row when (new.org_id = '${org.id}') execute function public.test_slow_rotation();`);
});

afterAll(async () => {
  await adminSql().unsafe(`drop trigger if exists test_slow_rotation on public.integrations; drop function if exists public.test_slow_rotation();`);
  // A thousand integrations left behind would be picked up by the scheduler suites that run later.
  if (org) await adminSql()`delete from public.organizations where id = ${org.id}`;
  await closeAdminSql();
});

describe('vault:rotate at scale', () => {
  it('survives being killed part-way, finishes on a re-run, and every integration stays readable', async () => {
    expect(await countByKey()).toEqual({ 'scale-old': COUNT });

    // node --import tsx (not the tsx wrapper), so SIGKILL reaches the process doing the work.
    const cli = spawn(process.execPath, ['--import', 'tsx', 'scripts/vault-rotate.ts', '--batch-size=25'], {
      cwd: ROOT,
      env: { ...process.env, FLEETLINE_VAULT_KEYS: `${newEntry},${oldEntry}` },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => cli.once('exit', () => resolve()));

    // The app keeps reading while the CLI rotates; kill the CLI once some, not all, rows moved.
    let reads = 0;
    let readFailures = 0;
    let partial: Record<string, number> = {};
    await expect
      .poll(
        async () => {
          readFailures += await readAll();
          reads += 1;
          partial = await countByKey();
          return partial['scale-new'] ?? 0;
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(100);
    cli.kill('SIGKILL');
    await exited;

    const afterKill = await countByKey();
    expect(afterKill['scale-new']).toBeGreaterThanOrEqual(100);
    expect(afterKill['scale-old'], 'the CLI was interrupted before it finished').toBeGreaterThan(0);
    expect(await readAll()).toBe(0);

    const report = await rotateVaultTokens(adminSql(), rotated, { batchSize: 100 });
    expect(report.rotated).toBeGreaterThanOrEqual(afterKill['scale-old']!);
    expect(await countByKey()).toEqual({ 'scale-new': COUNT });
    expect(await readAll()).toBe(0);

    const again = await rotateVaultTokens(adminSql(), rotated, { batchSize: 100 });
    expect(again.rotated).toBe(0);
    expect(reads).toBeGreaterThan(0);
    expect(readFailures).toBe(0);
  });
});
