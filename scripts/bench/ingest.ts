// `npm run bench:ingest` (issue 13): the live-data ingest under load, end to end through the
// production Next.js server AND through the standalone ingest server (`npm run ingest`, plain
// node:http, the same ingest()), measured one after the other in the same run. A fresh Postgres with 10,000 devices and live data switched on, the
// AWS simulator (10,000 things, for the Timestream comparison), `next start` on the `npm run build`
// output (a prerequisite: building takes minutes on 2 cores), then:
// - for each server in turn, sustained load from a separate process (scripts/bench/ingest-load.ts): rules-engine batches of
//   10 messages × 3 metrics, keep-alive, N in flight: points/s, requests/s, acknowledgement p50/p95/p99;
// - presence: disconnect/connect events posted during the load, latency until the device's stored
//   status shows them (polled);
// - storage bytes per raw point (partitions with their indexes) and of the rollups;
// - the 7-day fleet chart over the 10,000 devices from fleet rollups (first answer on new
//   connections, cache empty) and the same chart through the Timestream source (the simulator).
// Prints one JSON object. Knobs: FLEETLINE_BENCH_INGEST_SECONDS (30), FLEETLINE_BENCH_INGEST_CONCURRENCY (48).

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { DEFAULT_TIMESTREAM_DATABASE, DEFAULT_TIMESTREAM_TABLE, DEMO_CREDENTIALS, DEMO_REGION } from '../sim/config';
import { ROOT, STATE_DIR, TEST_PORTS } from '../stack/config';
import { applyBootstrap, pushMigrations } from '../stack/db';
import { startPostgres } from '../stack/postgres';
import { startSimulatorProcess } from './sim-process';
import { credentialsHint, encryptCredentials, generateKeyEntry, parseKeyring } from '../../src/lib/vault';
import { newIngestSecret } from '../../src/features/live-data/secret';

const DEVICES = 10_000;
const SECONDS = Number(process.env.FLEETLINE_BENCH_INGEST_SECONDS ?? 30);
const CONCURRENCY = Number(process.env.FLEETLINE_BENCH_INGEST_CONCURRENCY ?? 48);
const PRESENCE_SAMPLES = 40;
const CHART_RUNS = 5;
const TARGETS = { pointsPerSecond: 50_000, requestsPerSecond: 2_000, ackP99Ms: 200, presenceP95Ms: 2_000, fleetChartFirstMs: 300 };

const round = (ms: number) => Math.round(ms * 100) / 100;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const progress = (line: string) => process.stderr.write(`[bench:ingest] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within 60 s`);
    await sleep(250);
  }
}

/** CPU time (ms, user + system) of a process and all its descendants, from /proc (Linux). */
function treeCpuMs(rootPid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited meanwhile
    }
  }
  let ticks = 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) queue.push(child);
  }
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

function runLoad(config: Record<string, unknown>): Promise<Record<string, unknown>> {
  const script = path.join(ROOT, 'scripts', 'bench', 'ingest-load.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(`load generator exited with ${code}`))));
  });
}

async function main() {
  if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    throw new Error('No production build: run `npm run build` first (the benchmark measures `next start`, not the dev server).');
  }
  const dbPort = Number(process.env.FLEETLINE_BENCH_DB_PORT ?? TEST_PORTS.db + 40);
  const appPort = TEST_PORTS.app + 40;
  const dataDir = path.join(STATE_DIR, `bench-ingest-${dbPort}`, 'db');
  await rm(path.dirname(dataDir), { recursive: true, force: true });
  const setupStarted = performance.now();
  const pg = await startPostgres({ dataDir, port: dbPort });
  const stops: (() => Promise<unknown>)[] = [() => pg.stop()];
  const admin = postgres(pg.url, { max: 4, onnotice: () => {} });
  let app: ChildProcess | null = null;
  let standalone: ChildProcess | null = null;
  try {
    const sim = await startSimulatorProcess(['--things', String(DEVICES)]);
    stops.unshift(() => sim.stop());
    await applyBootstrap(pg.url);
    await pushMigrations(pg.url);
    const vaultKeys = generateKeyEntry('bench1');
    process.env.DATABASE_URL = pg.url;
    process.env.FLEETLINE_VAULT_KEYS = vaultKeys;
    process.env.LOG_LEVEL = 'silent';
    process.env.FLEETLINE_OUTBOUND_ALLOW_LOOPBACK = 'true'; // the simulator is on 127.0.0.1

    // One owner, one organization, one integration on the simulator with live data on, 10,000 devices.
    const userId = randomUUID();
    await admin`
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', ${userId}, 'authenticated', 'authenticated', 'bench@example.test', '', now(),
              '{"provider":"email","providers":["email"]}', '{}', now(), now())`;
    const claims = { sub: userId, role: 'authenticated', email: 'bench@example.test', aud: 'authenticated' };
    const { asService, asUser, closeDatabase } = await import('../../src/lib/db');
    const [org] = await asUser(claims, (db) => db<{ id: string }[]>`select public.create_organization('bench-ingest', 'Bench ingest') as id`);
    const orgId = org!.id;
    const integrationId = randomUUID();
    const keyring = parseKeyring(vaultKeys);
    const token = encryptCredentials(keyring, { orgId, integrationId }, DEMO_CREDENTIALS);
    const capabilities = { checks: [{ id: 'timestreamQuery', status: 'ok' }], syncMode: 'fleet_index', indexing: null, testedAt: new Date().toISOString() };
    await admin`
      insert into public.integrations (id, org_id, name, region, auth_type, credentials, credentials_hint, custom_endpoint,
                                       timestream_database, timestream_table, status, capabilities, created_by)
      values (${integrationId}, ${orgId}, 'Simulator', ${DEMO_REGION}, 'access_keys', ${token}, ${credentialsHint(DEMO_CREDENTIALS.accessKeyId)},
              ${sim.url}, ${DEFAULT_TIMESTREAM_DATABASE}, ${DEFAULT_TIMESTREAM_TABLE}, 'active', ${admin.json(capabilities)}, ${userId})`;
    const things = await admin<{ id: string; thing_name: string }[]>`
      insert into public.devices (org_id, integration_id, thing_name, attributes, status, connected, sync_hash)
      select ${orgId}, ${integrationId}, 'sensor-' || lpad(i::text, 6, '0'),
             jsonb_build_object('site', (array['berlin','paris','austin','toronto','singapore','sydney'])[1 + i % 6]),
             'online', true, 'bench'
      from generate_series(1, ${DEVICES}) as i
      returning id, thing_name`;
    const { secret, hash, hint } = newIngestSecret();
    await admin`
      insert into public.integration_live_data (integration_id, org_id, enabled, secret_hash, secret_hint, secret_rotated_at)
      values (${integrationId}, ${orgId}, true, ${hash}, ${hint}, now())`;
    // Seven days of fleet rollups as the writer leaves them (10,000 devices reporting each minute),
    // written directly: ingesting a week through HTTP is not what this run measures. The live load
    // below adds to the current buckets through the real writer.
    await admin`select private.ensure_telemetry_partitions_between(((now() at time zone 'utc') - interval '9 days')::date, (now() at time zone 'utc')::date + 1)`;
    await admin`
      insert into public.telemetry_fleet_rollups_5m (org_id, integration_id, metric, bucket, min, max, sum, count)
      select ${orgId}, ${integrationId}, m, b, 10 + random(), 30 + random(), 50000 * (20 + sin(extract(epoch from b) / 3600)), 50000
      from unnest(array['temperature','battery','rssi']) m,
           generate_series(date_bin(interval '5 minutes', now() - interval '8 days', timestamptz 'epoch'), now() - interval '5 minutes', interval '5 minutes') b`;
    await admin`
      insert into public.telemetry_fleet_rollups_1h (org_id, integration_id, metric, bucket, min, max, sum, count)
      select org_id, integration_id, metric, date_bin(interval '1 hour', bucket, timestamptz 'epoch'), min(min), max(max), sum(sum), sum(count)
      from public.telemetry_fleet_rollups_5m group by 1, 2, 3, 4`;
    await admin`analyze`;
    const setupMs = performance.now() - setupStarted;
    progress(`seeded in ${Math.round(setupMs)} ms; starting next start`);

    // The standalone ingest server (same ingest(), same path), next to the app.
    const ingestPort = appPort + 1;
    const serverEnv = {
      ...process.env,
      NODE_ENV: 'production' as const,
      DATABASE_URL: pg.url,
      FLEETLINE_VAULT_KEYS: vaultKeys,
      SUPABASE_URL: 'http://127.0.0.1:9',
      SUPABASE_ANON_KEY: 'bench-anon-key-not-used-by-ingest',
      APP_URL: `http://127.0.0.1:${appPort}`,
      LOG_LEVEL: 'warn',
    };
    const ingestServer = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'ingest-server.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...serverEnv, INGEST_PORT: String(ingestPort) },
    });
    standalone = ingestServer;
    let standaloneErrors = '';
    ingestServer.stderr!.on('data', (c: Buffer) => (standaloneErrors = (standaloneErrors + c.toString()).slice(-4_000)));

    // The production server.
    app = spawn(path.join(ROOT, 'node_modules', '.bin', 'next'), ['start', '-H', '127.0.0.1', '-p', String(appPort)], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        DATABASE_URL: pg.url,
        FLEETLINE_VAULT_KEYS: vaultKeys,
        SUPABASE_URL: 'http://127.0.0.1:9', // not used by the ingest route (outside the session proxy)
        SUPABASE_ANON_KEY: 'bench-anon-key-not-used-by-ingest',
        APP_URL: `http://127.0.0.1:${appPort}`,
        LOG_LEVEL: 'warn',
      },
    });
    let appErrors = '';
    app.stderr!.on('data', (c: Buffer) => (appErrors = (appErrors + c.toString()).slice(-4_000)));
    const appUrl = `http://127.0.0.1:${appPort}`;
    await waitForHealth(`${appUrl}/api/health`, app);
    const standaloneUrl = `http://127.0.0.1:${ingestPort}`;
    await waitForHealth(`${standaloneUrl}/health`, ingestServer);
    const postmasterPid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const queued = async () => Number((await admin<{ n: string }[]>`select count(*) as n from private.telemetry_rollup_queue`)[0]!.n);

    // One sustained run per server: warm-up, load with presence probes, CPU, then how long the
    // rollup folder needed to catch up with what was acknowledged.
    async function measure(label: string, baseUrl: string, server: ChildProcess) {
      const ingestUrl = `${baseUrl}/api/ingest/v1/${integrationId}`;
      // The devices are sensor-000001 … sensor-010000 (the load generator derives the names).
      const loadConfig = { url: ingestUrl, secret, devices: DEVICES, concurrency: CONCURRENCY, batch: 10 };
      const warmup = await runLoad({ ...loadConfig, seconds: 3 });
      progress(`${label}: warm-up done; sustained load for ${SECONDS} s`);
      // Presence during the load: post an event, poll the device row until it shows it.
      const presence: number[] = [];
      const presenceErrors: string[] = [];
      const probe = async () => {
        await sleep(2_000);
        for (let i = 0; i < PRESENCE_SAMPLES; i++) {
          const device = things[(i * 97 + presenceRound * 13) % things.length]!;
          const connected = i % 2 === 1;
          const started = performance.now();
          const event = connected
            ? { clientId: device.thing_name, timestamp: Date.now(), eventType: 'connected', ipAddress: '10.0.0.1', versionNumber: i }
            : { clientId: device.thing_name, timestamp: Date.now(), eventType: 'disconnected', clientInitiatedDisconnect: false, disconnectReason: 'CONNECTION_LOST', versionNumber: i };
          const res = await fetch(ingestUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-fleetline-ingest-secret': secret }, body: JSON.stringify([event]) });
          if (!res.ok) presenceErrors.push(`HTTP ${res.status}`);
          for (;;) {
            const [row] = await admin<{ connected: boolean | null }[]>`select connected from public.devices where id = ${device.id}`;
            if (row?.connected === connected) break;
            if (performance.now() - started > 10_000) {
              presenceErrors.push('not visible after 10 s');
              break;
            }
            await sleep(10);
          }
          presence.push(performance.now() - started);
          await sleep(Math.max(0, (SECONDS * 1000 - 4_000) / PRESENCE_SAMPLES - 50));
        }
      };
      presenceRound++;
      const cpuBefore = { server: treeCpuMs(server.pid!), postgres: treeCpuMs(postmasterPid) };
      const [load] = await Promise.all([runLoad({ ...loadConfig, seconds: SECONDS }), probe()]);
      const cpuAfter = { server: treeCpuMs(server.pid!), postgres: treeCpuMs(postmasterPid) };
      presence.sort((a, b) => a - b);
      const queuedAtEnd = await queued();
      const drainStarted = performance.now();
      while ((await queued()) > 0 && performance.now() - drainStarted < 120_000) await sleep(50);
      const rollupCatchUpMs = performance.now() - drainStarted;
      const ok = (load as { ok: number }).ok;
      const seconds = (load as { seconds: number }).seconds;
      const serverCpu = cpuAfter.server - cpuBefore.server;
      const dbCpu = cpuAfter.postgres - cpuBefore.postgres;
      const presenceP95 = presence.length > 0 ? percentile(presence, 0.95) : null;
      progress(`${label}: ${JSON.stringify(load)}`);
      return {
        label,
        warmup,
        load,
        // What the load cost: CPU of the server and of Postgres (all backends) per request.
        cpu: {
          serverCoresUsed: round(serverCpu / 1000 / seconds),
          postgresCoresUsed: round(dbCpu / 1000 / seconds),
          serverCpuMsPerRequest: ok ? round(serverCpu / ok) : null,
          postgresCpuMsPerRequest: ok ? round(dbCpu / ok) : null,
        },
        presence: { samples: presence.length, p50Ms: presence.length ? round(percentile(presence, 0.5)) : null, p95Ms: presenceP95 === null ? null : round(presenceP95), maxMs: presence.length ? round(presence.at(-1)!) : null, errors: presenceErrors },
        rollups: { note: 'acknowledged after the raw write; queued flushes folded asynchronously', queuedFlushesAtLoadEnd: queuedAtEnd, catchUpMsAfterLoad: round(rollupCatchUpMs) },
      };
    }
    let presenceRound = 0;
    const nextRun = await measure('Next.js route (next start)', appUrl, app!);
    const standaloneRun = await measure('standalone ingest server (npm run ingest, node:http)', standaloneUrl, ingestServer);
    progress('load done; measuring storage and charts');

    // Storage: raw partitions (heap + primary key) per row, and the rollup tables.
    const size = async (parent: string) => {
      const [row] = await admin<{ bytes: string; rows: string }[]>`
        select coalesce(sum(pg_total_relation_size(i.inhrelid)), 0)::bigint as bytes,
               (select count(*) from ${admin(parent)})::bigint as rows
        from pg_inherits i where i.inhparent = ${parent}::regclass`;
      return { bytes: Number(row!.bytes), rows: Number(row!.rows) };
    };
    await admin`vacuum analyze`;
    const raw = await size('public.telemetry_points');
    const storage = {
      rawPoints: raw.rows,
      rawBytes: raw.bytes,
      bytesPerRawPoint: raw.rows > 0 ? Math.round(raw.bytes / raw.rows) : null,
      deviceRollups5m: await size('public.telemetry_rollups_5m'),
      deviceRollups1h: await size('public.telemetry_rollups_1h'),
      fleetRollups5m: await size('public.telemetry_fleet_rollups_5m'),
      fleetRollups1h: await size('public.telemetry_fleet_rollups_1h'),
    };
    const [ratio] = await admin<{ points_per_5m_row: number }[]>`
      select (select count(*) from public.telemetry_points)::float8 / nullif((select count(*) from public.telemetry_rollups_5m), 0) as points_per_5m_row`;

    // The writer alone, in this process (no HTTP): one flush as the combiner issues it, with every
    // rollup in the statement, against a raw-only insert (the ceiling of "acknowledge after the raw
    // write, roll up later"). Tells whether the rollups or the request path limit the ingest.
    const { writeTelemetryGroups, foldQueuedRollups } = await import('../../src/features/telemetry-store/service');
    const writer: Record<string, unknown>[] = [];
    for (const flushPoints of [300, 1_500, 5_000]) {
      const flushes = Math.max(4, Math.round(30_000 / flushPoints));
      let n = 0;
      const make = (f: number) => {
        const base = Date.now() - 3_600_000 + f * 10;
        return Array.from({ length: flushPoints }, (_, i) => {
          const device = things[(f * flushPoints + i) % things.length]!;
          return { orgId, integrationId, deviceId: device.id, metric: ['temperature', 'battery', 'rssi'][i % 3]!, ts: new Date(base + Math.floor(i / 3)), value: i % 100 };
        });
      };
      let t0 = performance.now();
      for (let f = 0; f < flushes; f++) n += (await asService((db) => writeTelemetryGroups(db, [make(f)]))).written[0]!;
      const withRollups = n / ((performance.now() - t0) / 1000);
      n = 0;
      t0 = performance.now();
      for (let f = 0; f < flushes; f++) n += (await asService((db) => writeTelemetryGroups(db, [make(f + 500)], { rollups: 'queued' }))).written[0]!;
      const queuedWrite = n / ((performance.now() - t0) / 1000);
      n = 0;
      t0 = performance.now();
      const foldedPoints = await asService((db) => foldQueuedRollups(db, 10_000));
      const foldRate = foldedPoints.points / ((performance.now() - t0) / 1000);
      n = 0;
      t0 = performance.now();
      for (let f = 0; f < flushes; f++) {
        const pts = make(f + 1_000);
        const rows = await admin`
          insert into public.telemetry_points (org_id, integration_id, device_id, ts, value, metric)
          select * from unnest(${pts.map((p) => p.orgId)}::uuid[], ${pts.map((p) => p.integrationId)}::uuid[], ${pts.map((p) => p.deviceId)}::uuid[],
                               ${pts.map((p) => p.ts.toISOString())}::timestamptz[], ${pts.map((p) => p.value)}::float8[], ${pts.map((p) => p.metric)}::text[])
          on conflict do nothing`;
        n += rows.count;
      }
      const rawOnly = n / ((performance.now() - t0) / 1000);
      writer.push({
        flushPoints,
        flushes,
        pointsPerSecondWithRollups: Math.round(withRollups),
        pointsPerSecondRawPlusQueue: Math.round(queuedWrite),
        foldPointsPerSecond: Math.round(foldRate),
        pointsPerSecondRawOnly: Math.round(rawOnly),
      });
    }
    progress('writer measured in-process');

    // The 7-day fleet chart, through the route's server function (in this process, on new connections).
    const { loadTelemetry } = await import('../../src/features/telemetry/service');
    const { TelemetryCache } = await import('../../src/features/telemetry/cache');
    const baseDeps = { asUser: <T>(fn: Parameters<typeof asUser<T>>[1]) => asUser(claims, fn), asService, keyring, platform: {}, now: Date.now };
    const input = { orgSlug: 'bench-ingest', request: { metric: 'temperature', range: '7d' as const }, filter: {} };
    async function chart(label: string, extra: Record<string, unknown>, count: number) {
      const runs: { wallMs: number; serverMs: number }[] = [];
      let first: Awaited<ReturnType<typeof loadTelemetry>> | null = null;
      for (let i = 0; i < count; i++) {
        await closeDatabase(); // cold-ish: new connections, nothing prepared, empty server cache
        const t0 = performance.now();
        try {
          const out = await loadTelemetry({ ...baseDeps, cache: new TelemetryCache(), ...extra }, input);
          runs.push({ wallMs: performance.now() - t0, serverMs: out.serverMs });
          first ??= out;
        } catch (error) {
          // Reported, not fatal: the other figures stand on their own.
          return { label, error: `${(error as Error).name}: ${(error as Error).message}`, afterMs: round(performance.now() - t0) };
        }
      }
      const wall = runs.map((r) => r.wallMs).sort((a, b) => a - b);
      return {
        label,
        devices: first!.devices,
        source: first!.sources.map((s) => `${s.source}${s.resolution ? `:${s.resolution}` : ''} (${s.selection})`),
        bin: first!.bin,
        buckets: first!.buckets,
        points: first!.points.length,
        queries: first!.sources.reduce((n, s) => n + s.queries, 0),
        bytesScanned: first!.bytesScanned,
        firstAnswer: { wallMs: round(runs[0]!.wallMs), serverMs: round(runs[0]!.serverMs) },
        coldRuns: { runs: runs.length, wallMsP50: round(percentile(wall, 0.5)), wallMsMax: round(wall.at(-1)!) },
      };
    }
    const fromRollups = await chart('7-day fleet chart, all 10,000 devices, Fleetline store (fleet rollups)', {}, CHART_RUNS);
    // The store's part alone (the chart above also lists the fleet's devices under RLS).
    const { fleetlineStoreSource } = await import('../../src/features/telemetry-store/store-source');
    const { resolveRange } = await import('../../src/features/telemetry/range');
    const range = resolveRange({ range: '7d' }, Date.now());
    const storeOnly: number[] = [];
    for (let i = 0; i < CHART_RUNS; i++) {
      await closeDatabase();
      const source = fleetlineStoreSource({ db: baseDeps.asUser, orgId, integrationId });
      const t0 = performance.now();
      await source.series({ metric: 'temperature', fromMs: range.fromMs, toMs: range.toMs, bin: range.bin, selection: { all: true, devices: [] } });
      storeOnly.push(performance.now() - t0);
    }
    const storeFirstMs = storeOnly[0]!;
    storeOnly.sort((a, b) => a - b);
    progress('fleet chart from rollups measured; now through Timestream');
    const fromTimestream = await chart('7-day fleet chart, all 10,000 devices, Timestream (simulator)', { storeIntegrations: async () => new Set<string>() }, 2);
    await closeDatabase();

    type Run = Awaited<ReturnType<typeof measure>>;
    const met = (run: Run) => {
      const l = run.load as { pointsPerSecond: number; requestsPerSecond: number; ackMs: { p99: number } };
      return {
        pointsPerSecond: l.pointsPerSecond >= TARGETS.pointsPerSecond,
        requestsPerSecond: l.requestsPerSecond >= TARGETS.requestsPerSecond,
        ackP99: l.ackMs.p99 <= TARGETS.ackP99Ms,
        presenceP95: run.presence.p95Ms !== null && run.presence.p95Ms <= TARGETS.presenceP95Ms,
      };
    };
    console.log(
      JSON.stringify(
        {
          benchmark: 'ingest',
          machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: round(os.totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}`, loadAverage1m: round(os.loadavg()[0]!) },
          setup: {
            devices: DEVICES,
            setupMs: Math.round(setupMs),
            servers: ['next start (production build), route /api/ingest/v1/<id>', 'npm run ingest (standalone node:http), same path'],
            loadGenerator: 'separate process, node:http keep-alive',
            writer: 'write combiner (group commit) writing raw rows + a rollup-queue row; acknowledged after that commit; rollups folded asynchronously',
            ingestCaches: 'auth record and device names cached per process (5 s TTL), counters batched (1 s)',
          },
          targets: TARGETS,
          // The same load against each server, one after the other.
          runs: [nextRun, standaloneRun],
          serverStderrTail: { next: appErrors.trim().split('\n').slice(-5), standalone: standaloneErrors.trim().split('\n').slice(-5) },
          writerInProcess: writer,
          storage: { ...storage, rawPointsPer5mDeviceRollupRow: ratio?.points_per_5m_row ? round(ratio.points_per_5m_row) : null },
          charts: [fromRollups, fromTimestream],
          fleetRollupQueryOnly: { runs: CHART_RUNS, note: 'store source alone, new connection each run', firstMs: round(storeFirstMs), p50Ms: round(percentile(storeOnly, 0.5)) },
          met: {
            nextRoute: met(nextRun),
            standalone: met(standaloneRun),
            fleetChartFirst: 'firstAnswer' in fromRollups && fromRollups.firstAnswer!.wallMs <= TARGETS.fleetChartFirstMs,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    if (standalone && standalone.exitCode === null) {
      const exited = new Promise((r) => standalone!.once('exit', r));
      standalone.kill('SIGTERM');
      await exited;
    }
    if (app && app.exitCode === null) {
      const exited = new Promise((r) => app!.once('exit', r));
      app.kill('SIGTERM');
      await exited;
    }
    await admin.end();
    for (const stop of stops) await stop().catch(() => undefined);
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
