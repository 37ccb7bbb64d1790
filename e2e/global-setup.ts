import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, TEST_PORTS } from '../scripts/stack/config';
import { prefixed } from '../scripts/stack/log';
import { startStack } from '../scripts/stack/stack';
import { DEMO_ORG, seedDemo } from '../scripts/seed';
import { db } from './db';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become healthy in ${timeoutMs / 1000}s`);
}

async function waitForDemoFleet(child: ChildProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode} (test-results/e2e-worker.log)`);
    const [row] = await db()<{ done: boolean }[]>`
      select exists (
        select 1 from public.sync_runs r join public.organizations o on o.id = r.org_id
        where o.slug = ${DEMO_ORG.slug} and r.status = 'succeeded') as done`;
    if (row?.done) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the demo fleet was not synced within ${timeoutMs / 1000}s (test-results/e2e-worker.log)`);
}

/**
 * Fresh stack on the test ports, the demo organization synced by a real worker, and the production
 * build of the app; torn down afterwards.
 */
export default async function globalSetup() {
  if (!existsSync(chromium)) {
    throw new Error(
      `No Chromium at ${chromium}. Install Debian's browser with \`apt-get update && apt-get install -y chromium\`, or set CHROMIUM_PATH.`,
    );
  }
  if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error('No production build found: run `npm run build` first (npm test does).');
  }
  mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
  const verbose = !!process.env.E2E_VERBOSE;
  const log = (part: string, line: string) => {
    // Postgres logs expected constraint errors; only its fatal lines are worth showing here.
    const serious = part === 'db' ? /FATAL|PANIC/.test(line) : /error|fail/i.test(line);
    if (verbose || serious) console.log(prefixed(part, line));
  };
  const stack = await startStack({ ports: TEST_PORTS, name: 'test-e2e', fresh: true, simThings: 200, log });
  Object.assign(process.env, stack.env);
  // Demo data, as `npm run demo` has it: the demo org, its owner/operator/viewer and a worker that syncs it.
  await seedDemo(stack.env, (line) => log('seed', line));
  const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'worker.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...stack.env, NODE_ENV: 'production', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const workerLog = createWriteStream(path.join(ROOT, 'test-results', 'e2e-worker.log'), { flags: 'w' });
  worker.stdout?.pipe(workerLog);
  worker.stderr?.pipe(workerLog);

  const app = spawn(path.join(ROOT, 'node_modules', '.bin', 'next'), ['start', '-H', '127.0.0.1', '-p', String(TEST_PORTS.app)], {
    cwd: ROOT,
    env: { ...process.env, ...stack.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const appLog: string[] = [];
  // Every line the server prints, for specs that assert what it logged (e.g. that no secret leaks).
  const logFile = path.join(ROOT, 'test-results', 'e2e-app.log');
  const logStream = createWriteStream(logFile, { flags: 'w' });
  process.env.E2E_APP_LOG = logFile;
  const collect = (chunk: Buffer) => {
    logStream.write(chunk);
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      appLog.push(line);
      log('app', line);
    }
  };
  app.stdout?.on('data', collect);
  app.stderr?.on('data', collect);
  const stopChild = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  try {
    await waitForHealth(`http://127.0.0.1:${TEST_PORTS.app}/api/health`, app);
    await waitForDemoFleet(worker);
  } catch (error) {
    console.log(appLog.slice(-50).join('\n'));
    await Promise.all([stopChild(app), stopChild(worker)]);
    await stack.stop();
    throw error;
  }

  return async () => {
    // The worker first, while the database is up, so a sync in progress can record its state.
    await stopChild(worker);
    await stopChild(app);
    logStream.end();
    workerLog.end();
    await db().end();
    await stack.stop();
  };
}
