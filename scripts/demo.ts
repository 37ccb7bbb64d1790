import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DEV_PORTS, ROOT } from './stack/config';
import { logLine } from './stack/log';
import { startStack, writeEnvFile, type RunningStack } from './stack/stack';
import { assertSupportedNode } from '../src/lib/node-version';
import { enableDemoLiveData } from './demo-live';
import { DEMO_MEMBERS, DEMO_ORG, DEMO_USER, seedDemo } from './seed';

/**
 * npm run demo — the whole product on its local stack: database, auth, AWS simulator, seeded demo
 * organization, a production build of the app, served on http://127.0.0.1:3000.
 */
const NEXT_BIN = path.join(ROOT, 'node_modules', '.bin', 'next');
const TSX_BIN = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function run(part: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logLine(part, line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return child;
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

let stack: RunningStack | undefined;
let app: ChildProcess | undefined;
let worker: ChildProcess | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  // The worker first, while the database is up, so a sync in progress can record its state.
  for (const child of [worker, app]) {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
  }
  await stack?.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  assertSupportedNode();
  stack = await startStack({ ports: DEV_PORTS, name: 'dev', log: logLine, simThings: 500 });
  await writeEnvFile(stack.env);
  // The seed's preflight runs in this process and needs the stack's outbound settings.
  Object.assign(process.env, stack.env);
  await seedDemo(stack.env, (line) => logLine('seed', line));
  // The sync worker starts before the build, so the demo fleet is in the database by the time the app is up.
  worker = run('worker', TSX_BIN, ['scripts/worker.ts'], { ...process.env, ...stack.env, NODE_ENV: 'development' });
  worker.on('exit', (code) => {
    if (!stopping) logLine('stack', `worker exited (${code}); devices will not sync until the demo is restarted`);
  });

  const env: NodeJS.ProcessEnv = { ...process.env, ...stack.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
  if (!process.argv.includes('--skip-build')) {
    logLine('build', 'building the app (next build)…');
    const build = run('build', NEXT_BIN, ['build'], env);
    if ((await exited(build)) !== 0) throw new Error('next build failed');
  }
  app = run('app', NEXT_BIN, ['start', '-H', '127.0.0.1', '-p', String(DEV_PORTS.app)], env);
  app.on('exit', (code) => {
    if (!stopping) {
      logLine('stack', `app exited (${code}); stopping`);
      void shutdown(code ?? 1);
    }
  });
  const url = `http://127.0.0.1:${DEV_PORTS.app}`;
  await waitForHttp(`${url}/api/health`);
  await enableDemoLiveData(url, (line) => logLine('live', line)).catch((error: unknown) =>
    logLine('live', `live data stays off: ${(error as Error).message}`),
  );
  logLine('stack', '');
  logLine('stack', `Fleetline is running at ${url}`);
  logLine('stack', `Sign in as ${DEMO_USER.email} / ${DEMO_USER.password} (owner of /${DEMO_ORG.slug})`);
  for (const member of DEMO_MEMBERS) logLine('stack', `  or as ${member.email} / ${member.password} (${member.role})`);
  logLine('stack', `Notification e-mail lands in the inbox at ${stack.mailInboxUrl}`);
  logLine('stack', 'Ctrl-C stops everything.');
} catch (error) {
  logLine('stack', `demo failed: ${(error as Error).message}`);
  await shutdown(1);
}

async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}
