import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { generateKeyEntry, parseKeyring } from '../../src/lib/vault';
import { loadOrCreateAuthKeys } from '../auth/keys';
import { startAuthServer } from '../auth/server';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS } from '../sim/config';
import { startSimulator } from '../sim/server';
import { ROOT, STATE_DIR, type StackPorts } from './config';
import { applyBootstrap, pushMigrations } from './db';
import { startMailSink } from './mail';
import { startPostgres } from './postgres';

/**
 * The local Supabase-like stack: Postgres 17, the platform bootstrap, migrations through the
 * Supabase CLI, the GoTrue-compatible auth server and the AWS fleet simulator. Used by
 * `npm run stack`, `npm run demo` and the end-to-end tests.
 */
export interface StackOptions {
  ports: StackPorts;
  /** Folder for this stack's database and keys (`.fleetline/<name>`). */
  name: string;
  /** Start from an empty database. */
  fresh?: boolean;
  /** Things in the simulated demo fleet. */
  simThings?: number;
  log: (part: 'db' | 'auth' | 'sim' | 'mail' | 'stack', line: string) => void;
}

export interface RunningStack {
  /** Environment for the app and scripts (also written to `.env.local` by `npm run stack`). */
  env: Record<string, string>;
  /** The SMTP sink's web inbox, where notification e-mail shows up. */
  mailInboxUrl: string;
  stop(): Promise<void>;
}

async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', () => reject(new Error(`Port ${port} (${what}) is in use: is another stack running? Stop it first.`)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** The stack's vault keyring, created once so tokens in its database stay readable across restarts. */
async function loadOrCreateVaultKeys(file: string): Promise<string> {
  try {
    await writeFile(file, `${generateKeyEntry('local1')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const value = (await readFile(file, 'utf8')).trim();
  try {
    parseKeyring(value);
  } catch (error) {
    throw new Error(`${file} is not a valid vault keyring (${(error as Error).message}); tokens in this stack's database need it.`);
  }
  return value;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { ports, log } = options;
  const dir = path.join(STATE_DIR, options.name);
  if (options.fresh) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  await assertPortFree(ports.db, 'Postgres');
  await assertPortFree(ports.auth, 'auth');
  await assertPortFree(ports.sim, 'AWS simulator');
  await assertPortFree(ports.smtp, 'SMTP sink');
  await assertPortFree(ports.mail, 'mail inbox');

  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) {
      await fn().catch((error: unknown) => log('stack', `stop failed: ${String(error)}`));
    }
    stops.length = 0;
  };

  try {
    const pg = await startPostgres({ dataDir: path.join(dir, 'db'), port: ports.db, onLog: (line) => log('db', line) });
    stops.push(() => pg.stop());
    await applyBootstrap(pg.url);
    log('db', `ready on 127.0.0.1:${ports.db}; bootstrap applied`);
    const pushed = await pushMigrations(pg.url);
    for (const line of pushed.split('\n')) if (/Applying|up to date|Finished/i.test(line)) log('db', line.trim());

    const keys = await loadOrCreateAuthKeys(path.join(dir, 'auth-keys.json'));
    const appUrl = `http://127.0.0.1:${ports.app}`;
    const auth = await startAuthServer({
      port: ports.auth,
      databaseUrl: pg.url,
      keys,
      siteUrl: appUrl,
      onLog: (line) => log('auth', line),
    });
    stops.push(() => auth.close());
    log('auth', `ready on ${auth.url}`);

    const sim = await startSimulator({ port: ports.sim, things: options.simThings ?? 1000 });
    stops.push(() => sim.close());
    log('sim', `ready on ${sim.url} (demo account 111122223333, ${options.simThings ?? 1000} things)`);

    const mail = await startMailSink({ smtpPort: ports.smtp, webPort: ports.mail, mailDirectory: path.join(dir, 'mail') });
    stops.push(() => mail.close());
    log('mail', `SMTP sink on ${mail.smtpUrl}; inbox at ${mail.webUrl}`);

    const env: Record<string, string> = {
      SUPABASE_URL: auth.baseUrl,
      SUPABASE_ANON_KEY: keys.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
      DATABASE_URL: pg.url,
      APP_URL: appUrl,
      FLEETLINE_AWS_SIM_ENDPOINT: sim.url,
      // Fleetline's own AWS identity (assumes customers' roles); locally, a key of the simulator.
      FLEETLINE_AWS_ACCOUNT_ID: DEMO_ACCOUNT_ID,
      FLEETLINE_AWS_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
      FLEETLINE_AWS_SECRET_ACCESS_KEY: DEMO_CREDENTIALS.secretAccessKey,
      FLEETLINE_VAULT_KEYS: await loadOrCreateVaultKeys(path.join(dir, 'vault-keys')),
      // The simulator is on loopback: allow loopback only (never private or metadata addresses), list
      // it as a custom endpoint (needed when NODE_ENV=production) and use it as the platform's STS.
      FLEETLINE_OUTBOUND_ALLOW_LOOPBACK: 'true',
      FLEETLINE_CUSTOM_ENDPOINT_HOSTS: '127.0.0.1,localhost',
      FLEETLINE_AWS_STS_ENDPOINT: sim.url,
      // Notification e-mail goes to the local sink; read it in the inbox.
      SMTP_URL: mail.smtpUrl,
      MAIL_FROM: 'Fleetline <alerts@fleetline.local>',
    };
    return { env, mailInboxUrl: mail.webUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Writes the stack's connection settings where Next.js and the scripts pick them up. */
export async function writeEnvFile(env: Record<string, string>, file = path.join(ROOT, '.env.local')): Promise<void> {
  const lines = [
    '# Written by the local stack (npm run stack / npm run demo). Local keys only; never commit.',
    ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
    '',
  ];
  await writeFile(file, lines.join('\n'), { mode: 0o600 });
}
