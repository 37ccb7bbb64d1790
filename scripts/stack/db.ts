import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { ROOT } from './config';

const run = promisify(execFile);
const SUPABASE_BIN = path.join(ROOT, 'node_modules', '.bin', 'supabase');

/** Applies the Supabase platform bootstrap (roles, auth schema, extensions). Local databases only. */
export async function applyBootstrap(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(await readFile(path.join(ROOT, 'scripts', 'stack', 'bootstrap.sql'), 'utf8'));
  } finally {
    await sql.end();
  }
}

/** Applies supabase/migrations with the real Supabase CLI, exactly as against hosted Supabase. */
export async function pushMigrations(url: string): Promise<string> {
  const { stdout, stderr } = await run(SUPABASE_BIN, ['db', 'push', '--db-url', url, '--yes'], {
    cwd: ROOT,
    env: { ...process.env, PGSSLMODE: 'disable', SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  });
  return `${stdout}${stderr}`;
}

/** Generates TypeScript row types from the live schema with the Supabase CLI. */
export async function generateTypes(url: string): Promise<string> {
  const { stdout } = await run(SUPABASE_BIN, ['gen', 'types', 'typescript', '--db-url', url, '--schema', 'public'], {
    cwd: ROOT,
    env: { ...process.env, PGSSLMODE: 'disable', SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}
