import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, TEST_PORTS } from '../scripts/stack/config';
import { prefixed } from '../scripts/stack/log';
import { startStack } from '../scripts/stack/stack';

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

/** Fresh stack on the test ports + the production build of the app; torn down afterwards. */
export default async function globalSetup() {
  if (!existsSync(chromium)) {
    throw new Error(
      `No Chromium at ${chromium}. Install Debian's browser with \`apt-get update && apt-get install -y chromium\`, or set CHROMIUM_PATH.`,
    );
  }
  if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error('No production build found: run `npm run build` first (npm test does).');
  }
  const verbose = !!process.env.E2E_VERBOSE;
  const log = (part: string, line: string) => {
    // Postgres logs expected constraint errors; only its fatal lines are worth showing here.
    const serious = part === 'db' ? /FATAL|PANIC/.test(line) : /error|fail/i.test(line);
    if (verbose || serious) console.log(prefixed(part, line));
  };
  const stack = await startStack({ ports: TEST_PORTS, name: 'test-e2e', fresh: true, simThings: 200, log });
  Object.assign(process.env, stack.env);

  const app = spawn(path.join(ROOT, 'node_modules', '.bin', 'next'), ['start', '-H', '127.0.0.1', '-p', String(TEST_PORTS.app)], {
    cwd: ROOT,
    env: { ...process.env, ...stack.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const appLog: string[] = [];
  // Every line the server prints, for specs that assert what it logged (e.g. that no secret leaks).
  const logFile = path.join(ROOT, 'test-results', 'e2e-app.log');
  mkdirSync(path.dirname(logFile), { recursive: true });
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
  try {
    await waitForHealth(`http://127.0.0.1:${TEST_PORTS.app}/api/health`, app);
  } catch (error) {
    console.log(appLog.slice(-50).join('\n'));
    app.kill('SIGTERM');
    await stack.stop();
    throw error;
  }

  return async () => {
    app.kill('SIGTERM');
    await new Promise((r) => (app.exitCode !== null ? r(null) : app.once('exit', r)));
    logStream.end();
    await stack.stop();
  };
}
