import { rm } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyEntry } from '../../src/lib/vault';
import { STATE_DIR, TEST_PORTS } from '../stack/config';
import { applyBootstrap, pushMigrations } from '../stack/db';
import { startPostgres, type RunningPostgres } from '../stack/postgres';

/**
 * Integration tests get a fresh database: Postgres on the test port, the platform bootstrap and
 * every migration through the Supabase CLI. Each suite then creates its own orgs and users.
 */
let pg: RunningPostgres | undefined;

export async function setup() {
  // Two runs side by side (e.g. two worktrees) can each pick their own port.
  const port = Number(process.env.FLEETLINE_TEST_DB_PORT ?? TEST_PORTS.db);
  const dataDir = path.join(STATE_DIR, `test-int-${port}`, 'db');
  await rm(path.dirname(dataDir), { recursive: true, force: true });
  pg = await startPostgres({ dataDir, port });
  await applyBootstrap(pg.url);
  await pushMigrations(pg.url);
  // Test workers start after this and inherit the environment.
  process.env.DATABASE_URL = pg.url;
  process.env.SUPABASE_URL ??= `http://127.0.0.1:${TEST_PORTS.auth}`;
  process.env.SUPABASE_ANON_KEY ??= 'integration-tests-do-not-call-auth';
  process.env.FLEETLINE_VAULT_KEYS ||= generateKeyEntry('test1');
  // Suites call simulators on 127.0.0.1 (loopback only; private and metadata addresses stay refused).
  // Assume-role suites pass their simulator as the platform's STS endpoint themselves.
  process.env.FLEETLINE_OUTBOUND_ALLOW_LOOPBACK ||= 'true';
}

export async function teardown() {
  await pg?.stop();
  if (pg) await rm(path.join(STATE_DIR, `test-int-${pg.port}`), { recursive: true, force: true });
}
