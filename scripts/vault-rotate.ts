import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { decryptChannelSecret, decryptCredentials, encryptChannelSecret, encryptCredentials, parseKeyring, VaultError, type Keyring } from '../src/lib/vault';

/**
 * `npm run vault:rotate [-- --dry-run] [--batch-size=100]`: moves every token to the first key. One
 * transaction per batch (locked rows skipped) makes it safe to interrupt and repeat; it prints
 * counts per key id, never tokens or credentials.
 */

export interface RotationFailure {
  id: string;
  orgId: string;
  keyId: string;
  code: VaultError['code'] | 'UNKNOWN';
}

export interface RotationReport {
  dryRun: boolean;
  primaryKeyId: string;
  /** Tokens per key id before and after the run. */
  before: Record<string, number>;
  after: Record<string, number>;
  /** Tokens re-encrypted (dry run: that would be). */
  rotated: number;
  /** Tokens that could not be decrypted; left untouched. */
  failed: RotationFailure[];
  /** Tokens still not under the first key (locked by a concurrent writer, or failed): re-run. */
  remaining: number;
}

export interface RotationOptions {
  batchSize?: number;
  dryRun?: boolean;
}

interface TokenRow {
  id: string;
  org_id: string;
  credentials: string;
  key_id: string;
}

/** Every vault token column: integration credentials and webhook signing secrets, each bound to its row. */
interface TokenSource {
  table: 'integrations' | 'notification_channels';
  column: 'credentials' | 'webhook_secret';
  reencrypt(keyring: Keyring, row: { id: string; org_id: string }, token: string): string;
}

const SOURCES: TokenSource[] = [
  {
    table: 'integrations',
    column: 'credentials',
    reencrypt: (keyring, row, token) => {
      const aad = { orgId: row.org_id, integrationId: row.id };
      return encryptCredentials(keyring, aad, decryptCredentials(keyring, aad, token));
    },
  },
  {
    table: 'notification_channels',
    column: 'webhook_secret',
    reencrypt: (keyring, row, token) => {
      const aad = { orgId: row.org_id, channelId: row.id };
      return encryptChannelSecret(keyring, aad, decryptChannelSecret(keyring, aad, token));
    },
  },
];

export async function countTokensByKey(sql: postgres.Sql): Promise<Record<string, number>> {
  const rows = await sql<{ key_id: string; count: string }[]>`
    select key_id, count(*) as count from (
      select split_part(credentials, '.', 2) as key_id from public.integrations where credentials is not null
      union all
      select split_part(webhook_secret, '.', 2) from public.notification_channels where webhook_secret is not null
    ) t
    group by 1
    order by 1`;
  return Object.fromEntries(rows.map((r) => [r.key_id, Number(r.count)]));
}

function failureCode(error: unknown): RotationFailure['code'] {
  return error instanceof VaultError ? error.code : 'UNKNOWN';
}

export async function rotateVaultTokens(sql: postgres.Sql, keyring: Keyring, options: RotationOptions = {}): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 100;
  const dryRun = options.dryRun ?? false;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be a positive integer');
  const primary = keyring.primaryKeyId;
  const before = await countTokensByKey(sql);
  const failed: RotationFailure[] = [];
  let rotated = 0;
  for (const source of SOURCES) {
    // Keyset cursor over ids: every row is visited once per run, so failed rows cannot stall it.
    let cursor = '00000000-0000-0000-0000-000000000000';
    const table = sql(`public.${source.table}`);
    const column = sql(source.column);
    for (;;) {
      const batch = await sql.begin(async (tx) => {
        const rows = await tx<TokenRow[]>`
          select id, org_id, ${column} as credentials, split_part(${column}, '.', 2) as key_id
          from ${table}
          where ${column} is not null and split_part(${column}, '.', 2) <> ${primary} and id > ${cursor}
          order by id
          limit ${batchSize}
          ${dryRun ? tx`` : tx`for update skip locked`}`;
        for (const row of rows) {
          let token: string;
          try {
            token = source.reencrypt(keyring, row, row.credentials);
          } catch (error) {
            failed.push({ id: row.id, orgId: row.org_id, keyId: row.key_id, code: failureCode(error) });
            continue;
          }
          if (!dryRun) {
            await tx`update ${table} set ${column} = ${token} where id = ${row.id} and ${column} = ${row.credentials}`;
          }
          rotated += 1;
        }
        return rows;
      });
      const last = batch.at(-1);
      if (!last) break;
      cursor = last.id;
    }
  }

  const after = await countTokensByKey(sql);
  const remaining = Object.entries(after).reduce((sum, [keyId, n]) => (keyId === primary ? sum : sum + n), 0);
  return { dryRun, primaryKeyId: primary, before, after, rotated, failed, remaining };
}

function parseArgs(argv: string[]): RotationOptions {
  const options: RotationOptions = {};
  for (const arg of argv) {
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg.startsWith('--batch-size=')) options.batchSize = Number(arg.slice('--batch-size='.length));
    else throw new Error(`unknown argument ${JSON.stringify(arg)} (use --dry-run, --batch-size=N)`);
  }
  return options;
}

async function main(): Promise<number> {
  const envFile = path.join(process.cwd(), '.env.local');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const options = parseArgs(process.argv.slice(2));
  const keyring = parseKeyring(process.env.FLEETLINE_VAULT_KEYS);
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const sql = postgres(url, {
    max: 1,
    prepare: process.env.DATABASE_PREPARED_STATEMENTS !== 'false',
    onnotice: () => {},
    connection: { application_name: 'fleetline-vault-rotate' },
  });
  try {
    const report = await rotateVaultTokens(sql, keyring, options);
    console.log(JSON.stringify(report, null, 2));
    if (report.failed.length > 0) console.error(`${report.failed.length} token(s) could not be decrypted with the current keyring; they were left as they are.`);
    else if (!report.dryRun && report.remaining > 0) console.error(`${report.remaining} token(s) were locked by other writers; run again to finish.`);
    return report.failed.length > 0 || (!report.dryRun && report.remaining > 0) ? 1 : 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      // Vault and driver messages hold no key material or query parameters; print only the message.
      const message = error instanceof Error ? error.message : 'unexpected failure';
      console.error(`vault:rotate failed: ${message}`);
      process.exit(1);
    },
  );
}
