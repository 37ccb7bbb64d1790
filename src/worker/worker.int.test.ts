import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { DEMO_CREDENTIALS, SECOND_CREDENTIALS } from '../../scripts/sim/config';
import type { RunningSimulator } from '../../scripts/sim/server';
import { startTestSimulator } from '../../scripts/sim/test-support';
import { ROOT } from '../../scripts/stack/config';
import { adminSql, closeAdminSql, createTestOrg, type TestOrg } from '../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps, waitFor } from '../../scripts/test/sync-fixtures';
import { runCronTick } from './cron';
import { jobQueue } from '@/lib/jobs/queue-client';
import { enqueueSync, QUEUES } from '@/lib/jobs/queues';
import { dueIntegrations, enqueueDueSyncs } from './scheduler';
import { startWorker } from './worker';

/**
 * The scheduler, the queue and worker processes on one database. This suite owns the schedule:
 * integrations other suites left behind are paused so the scheduler leaves them alone.
 */
let sim: RunningSimulator;
let org: TestOrg;

beforeAll(async () => {
  await adminSql()`update public.integrations set status = 'paused', paused_reason = 'left behind by another test suite'`;
  sim = await startTestSimulator({ things: 60, seed: 8, indexing: 'REGISTRY_AND_SHADOW' });
  org = await createTestOrg('sync-worker');
});

afterAll(async () => {
  const boss = await jobQueue();
  await boss.stop({ graceful: false, close: false });
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

async function pauseAll() {
  await adminSql()`update public.integrations set status = 'paused', paused_reason = 'test done' where status <> 'paused'`;
}

const runsOf = (integrationId: string) =>
  adminSql()<{ id: string; trigger: string; status: string; worker_id: string | null; started_at: Date; finished_at: Date | null; error: string | null; error_code: string | null; progress: { phase: string } }[]>`
    select id, trigger, status, worker_id, started_at, finished_at, error, error_code, progress
    from public.sync_runs where integration_id = ${integrationId} order by started_at`;

describe('the schedule', () => {
  it('is due when not paused, not running and not started within its interval', async () => {
    const fresh = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, interval: 60 });
    const recent = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, interval: 600 });
    const elapsed = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, interval: 600 });
    const running = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, interval: 60 });
    const paused = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, interval: 60 });
    const failedRecently = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, interval: 600 });
    await adminSql()`update public.integrations set status = 'paused' where id = ${paused.id}`;
    const run = (id: string, status: string, ago: string) => adminSql()`
      insert into public.sync_runs (org_id, integration_id, trigger, status, started_at, finished_at)
      values (${org.id}, ${id}, 'schedule', ${status}, now() - ${ago}::interval, case when ${status} = 'running' then null else now() end)`;
    await run(recent.id, 'succeeded', '5 minutes');
    await run(elapsed.id, 'succeeded', '11 minutes');
    await run(running.id, 'running', '1 hour');
    await run(failedRecently.id, 'failed', '1 minute');
    expect((await dueIntegrations(simSyncDeps(sim).db)).sort()).toEqual([fresh.id, elapsed.id].sort());
    await pauseAll();
  });

  it('queues one job per integration however often it is asked', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
    const boss = await jobQueue();
    const first = await enqueueSync(boss, { integrationId: integration.id, trigger: 'manual', requestedBy: null });
    expect(first).toEqual(expect.any(String));
    expect(await enqueueSync(boss, { integrationId: integration.id, trigger: 'manual', requestedBy: null })).toBeNull();
    expect(await enqueueDueSyncs(boss, simSyncDeps(sim).db)).toBe(0);
    await boss.deleteJob(QUEUES.sync, first!);
    await pauseAll();
  });
});

describe('an in-process worker', () => {
  it('syncs a due integration on start, then runs manual syncs it is sent', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, interval: 3600 });
    const worker = await startWorker({ deps: simSyncDeps(sim), log: simSyncDeps(sim).log, concurrency: 2, pollingIntervalSeconds: 0.5 });
    try {
      const scheduled = await waitFor(async () => (await runsOf(integration.id)).find((r) => r.status === 'succeeded'));
      expect(scheduled).toMatchObject({ trigger: 'schedule', worker_id: worker.id });
      const [devices] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.devices where integration_id = ${integration.id}`;
      expect(devices!.n).toBe(60);

      expect(await enqueueSync(worker.boss, { integrationId: integration.id, trigger: 'manual', requestedBy: org.members.operator.id })).toEqual(expect.any(String));
      const manual = await waitFor(async () => (await runsOf(integration.id)).find((r) => r.trigger === 'manual' && r.status === 'succeeded'));
      const [row] = await adminSql()`select requested_by from public.sync_runs where id = ${manual.id}`;
      expect(row!.requested_by).toBe(org.members.operator.id);
    } finally {
      await worker.stop();
      await pauseAll();
    }
  });
});

describe('the cron tick', () => {
  it('queues what is due and runs it within its budget', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
    const result = await runCronTick({ deps: simSyncDeps(sim), log: simSyncDeps(sim).log, budgetMs: 30_000 });
    expect(result.queued).toBe(1);
    expect(result.jobs).toEqual([expect.objectContaining({ outcome: 'ran', status: 'succeeded' })]);
    const runs = await runsOf(integration.id);
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([['cron', 'succeeded']]);
    await pauseAll();
  });
});

// ---------------------------------------------------------------------------------------------------
// Real processes: `npm run worker` and `npm run sync`, started as a deployment would start them.

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

interface Proc {
  child: ChildProcess;
  raw: string[];
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function start(script: string, args: string[] = [], env: Record<string, string> = {}): Proc {
  const child = spawn(TSX, [script, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: process.env.DATABASE_URL,
      FLEETLINE_VAULT_KEYS: process.env.FLEETLINE_VAULT_KEYS,
      FLEETLINE_OUTBOUND_ALLOW_LOOPBACK: process.env.FLEETLINE_OUTBOUND_ALLOW_LOOPBACK,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      WORKER_POLL_INTERVAL_SECONDS: '0.5',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = { child, raw: [], lines: [], exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      proc.raw.push(line);
      try {
        proc.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        proc.lines.push({ text: line });
      }
    }
  });
  child.stderr!.on('data', () => undefined);
  return proc;
}

async function stopProc(p: Proc): Promise<number | null> {
  if (p.child.exitCode === null) p.child.kill('SIGTERM');
  return p.exited;
}

const workerId = (p: Proc) => waitFor(async () => p.lines.find((l) => l.msg === 'worker started')?.workerId as string | undefined, 30_000);

describe('worker processes', () => {
  it('two workers on one integration never overlap', async () => {
    // Registry mode with 20 ms per request: a sync takes about a second, long enough to collide.
    const integration = await createSimIntegration(org, sim, { credentials: SECOND_CREDENTIALS, interval: 86_400 });
    sim.control.setFaults({ latencyMs: [20, 20] });
    const a = start('scripts/worker.ts');
    const b = start('scripts/worker.ts');
    try {
      const ids = [await workerId(a), await workerId(b)];
      const boss = await jobQueue();
      const jobs = () =>
        adminSql()<{ state: string; output: { outcome?: string; workerId?: string; runId?: string } | null }[]>`
          select state, output from pgboss.job where name = ${QUEUES.sync} and data->>'integrationId' = ${integration.id}`;
      // Waves of jobs without the singleton key, as if several schedulers and buttons fired at once.
      const contended = await waitFor(
        async () => {
          const all = await jobs();
          if (all.every((j) => j.state === 'completed' || j.state === 'failed')) {
            await boss.insert(Array.from({ length: 3 }, () => ({ name: QUEUES.sync, data: { integrationId: integration.id, trigger: 'manual', requestedBy: null } })));
            return null;
          }
          // Both workers must have taken syncs of this integration, interleaved in time; whether a
          // job also found the lease held ('busy') depends on scheduling, so it is not required.
          const runs = await runsOf(integration.id);
          const workers = new Set(runs.map((r) => r.worker_id));
          return runs.length >= 4 && workers.size === 2 ? runs : null;
        },
        60_000,
        100,
      );
      expect(new Set(contended.map((r) => r.worker_id))).toEqual(new Set(ids));
      await waitFor(async () => (await jobs()).every((j) => j.state === 'completed' || j.state === 'failed'), 30_000);

      const runs = await runsOf(integration.id);
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
      expect(runs.every((r) => ids.includes(r.worker_id!))).toBe(true);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finished_at!.getTime());
    } finally {
      sim.control.setFaults({ latencyMs: [0, 0] });
      expect(await stopProc(a)).toBe(0);
      expect(await stopProc(b)).toBe(0);
      await pauseAll();
    }
  }, 120_000);

  it('a worker stopped mid-sync records the run as cancelled and leaves the job to be retried', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: SECOND_CREDENTIALS, interval: 86_400 });
    sim.control.setFaults({ latencyMs: [60, 60] });
    const w = start('scripts/worker.ts');
    try {
      await workerId(w);
      const running = await waitFor(async () => (await runsOf(integration.id)).find((r) => r.status === 'running' && r.progress.phase === 'things'), 30_000);
      expect(await stopProc(w)).toBe(0);
      const [run] = await adminSql()`select status, error, error_code, finished_at, complete_listing from public.sync_runs where id = ${running.id}`;
      expect(run).toMatchObject({ status: 'cancelled', error_code: 'Cancelled', complete_listing: false });
      expect(run!.error).toContain('the worker is shutting down');
      const [job] = await adminSql()`select state from pgboss.job where name = ${QUEUES.sync} and data->>'integrationId' = ${integration.id}`;
      expect(job!.state).toBe('retry');
    } finally {
      sim.control.setFaults({ latencyMs: [0, 0] });
      await stopProc(w);
      await pauseAll();
    }
  });
});

describe('npm run sync', () => {
  it('runs one sync in the foreground and prints its summary as JSON', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS, status: 'pending' });
    const cli = start('scripts/sync.ts', ['--integration', integration.id]);
    expect(await cli.exited).toBe(0);
    const summary = JSON.parse(cli.raw.join('\n')) as Record<string, unknown>;
    expect(summary).toMatchObject({ integrationId: integration.id, trigger: 'cli', status: 'succeeded', mode: 'fleet_index', completeListing: true });
    expect(summary.counters).toMatchObject({ thingsSeen: 60, devicesUpserted: 60 });
    const [row] = await adminSql()`select status from public.integrations where id = ${integration.id}`;
    expect(row!.status).toBe('active');
    await pauseAll();
  });

  it('exits non-zero with a usage line when the integration is missing', async () => {
    const cli = start('scripts/sync.ts');
    expect(await cli.exited).toBe(2);
  });
});
