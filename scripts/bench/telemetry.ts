// `npm run bench:telemetry`: a 7-day fleet chart over 10,000 devices through the route's own server
// function (loadTelemetry): a fresh Postgres with 10,000 synced-looking devices, the AWS simulator with
// 10,000 things in a child process, then the first answer (Timestream) and repeats (server cache).
// Prints one JSON object.

import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { DEFAULT_TIMESTREAM_DATABASE, DEFAULT_TIMESTREAM_TABLE, DEMO_CREDENTIALS, DEMO_REGION } from '../sim/config';
import { STATE_DIR, TEST_PORTS } from '../stack/config';
import { applyBootstrap, pushMigrations } from '../stack/db';
import { startPostgres } from '../stack/postgres';
import { startSimulatorProcess } from './sim-process';
import { credentialsHint, encryptCredentials, generateKeyEntry, parseKeyring } from '../../src/lib/vault';

const DEVICES = 10_000;
const REPEATS = 25;
const TARGET_REPEAT_MS = 20;

const startSimChild = (things: number) => startSimulatorProcess(['--things', String(things)]);

const round = (ms: number) => Math.round(ms * 100) / 100;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function main() {
  const port = Number(process.env.FLEETLINE_BENCH_DB_PORT ?? TEST_PORTS.db + 20);
  const dataDir = path.join(STATE_DIR, `bench-telemetry-${port}`, 'db');
  await rm(path.dirname(dataDir), { recursive: true, force: true });
  const setupStarted = performance.now();
  const pg = await startPostgres({ dataDir, port });
  const sim = await startSimChild(DEVICES).catch(async (error: unknown) => {
    await pg.stop();
    throw error;
  });
  const admin = postgres(pg.url, { max: 2, onnotice: () => {} });
  try {
    await applyBootstrap(pg.url);
    await pushMigrations(pg.url);
    // The app's modules read these on first use.
    process.env.DATABASE_URL = pg.url;
    process.env.FLEETLINE_VAULT_KEYS = generateKeyEntry('bench1');
    process.env.LOG_LEVEL = 'silent';
    process.env.FLEETLINE_OUTBOUND_ALLOW_LOOPBACK = 'true'; // the simulator is on 127.0.0.1
    const { asService, asUser, closeDatabase } = await import('../../src/lib/db');
    const { loadTelemetry } = await import('../../src/features/telemetry/service');
    const { TelemetryCache } = await import('../../src/features/telemetry/cache');
    const { listFleetSelections } = await import('../../src/features/telemetry/queries');

    // One owner, one organization, one integration on the simulator, 10,000 devices.
    const userId = randomUUID();
    await admin`
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
      values ('00000000-0000-0000-0000-000000000000', ${userId}, 'authenticated', 'authenticated', 'bench@example.test', '', now(),
              '{"provider":"email","providers":["email"]}', '{}', now(), now())`;
    const claims = { sub: userId, role: 'authenticated', email: 'bench@example.test', aud: 'authenticated' };
    const [org] = await asUser(claims, (db) => db<{ id: string }[]>`select public.create_organization('bench-fleet', 'Bench fleet') as id`);
    const integrationId = randomUUID();
    const keyring = parseKeyring(process.env.FLEETLINE_VAULT_KEYS);
    const token = encryptCredentials(keyring, { orgId: org!.id, integrationId }, DEMO_CREDENTIALS);
    const capabilities = { checks: [{ id: 'timestreamQuery', status: 'ok' }], syncMode: 'fleet_index', indexing: null, testedAt: new Date().toISOString() };
    await admin`
      insert into public.integrations (id, org_id, name, region, auth_type, credentials, credentials_hint, custom_endpoint,
                                       timestream_database, timestream_table, status, capabilities, created_by)
      values (${integrationId}, ${org!.id}, 'Simulator', ${DEMO_REGION}, 'access_keys', ${token}, ${credentialsHint(DEMO_CREDENTIALS.accessKeyId)},
              ${sim.url}, ${DEFAULT_TIMESTREAM_DATABASE}, ${DEFAULT_TIMESTREAM_TABLE}, 'active', ${admin.json(capabilities)}, ${userId})`;
    await admin`
      insert into public.devices (org_id, integration_id, thing_name, attributes, status, sync_hash)
      select ${org!.id}, ${integrationId}, 'sensor-' || lpad(i::text, 6, '0'),
             jsonb_build_object('site', (array['berlin','paris','austin','toronto','singapore','sydney'])[1 + i % 6]),
             'online', 'bench'
      from generate_series(1, ${DEVICES}) as i`;
    await admin`analyze public.devices`;
    const setupMs = performance.now() - setupStarted;

    const cache = new TelemetryCache();
    const deps = { asUser: <T>(fn: Parameters<typeof asUser<T>>[1]) => asUser(claims, fn), asService, keyring, platform: {}, cache, now: Date.now };

    async function measure(label: string, filter: Record<string, unknown>) {
      const input = { orgSlug: 'bench-fleet', request: { metric: 'temperature', range: '7d' as const }, filter };
      const t0 = performance.now();
      const first = await loadTelemetry(deps, input);
      const firstWall = performance.now() - t0;
      const repeats: { server: number; wall: number; cache: string }[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const t = performance.now();
        const again = await loadTelemetry(deps, input);
        repeats.push({ server: again.serverMs, wall: performance.now() - t, cache: again.cache });
      }
      const server = repeats.map((r) => r.server).sort((a, b) => a - b);
      const wall = repeats.map((r) => r.wall).sort((a, b) => a - b);
      return {
        label,
        devices: first.devices,
        selection: first.sources.map((s) => s.selection),
        bin: first.bin,
        buckets: first.buckets,
        points: first.points.length,
        complete: first.points.length === first.buckets,
        first: { serverMs: round(first.serverMs), wallMs: round(firstWall), cache: first.cache, queries: first.sources.reduce((n, s) => n + s.queries, 0), bytesScanned: first.bytesScanned },
        repeat: {
          runs: REPEATS,
          allFromCache: repeats.every((r) => r.cache === 'hit'),
          serverMsP50: round(percentile(server, 0.5)),
          serverMsP95: round(percentile(server, 0.95)),
          serverMsMax: round(server.at(-1)!),
          wallMsP50: round(percentile(wall, 0.5)),
        },
        repeatWithinTarget: percentile(server, 0.5) <= TARGET_REPEAT_MS,
      };
    }

    // Why selections are remembered briefly: counting and digesting the fleet under RLS (policy per row).
    const selectionMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await asUser(claims, (db) => listFleetSelections(db, org!.id, {}));
      selectionMs.push(performance.now() - t);
    }
    selectionMs.sort((a, b) => a - b);

    const whole = await measure('7-day fleet chart, all 10,000 devices (no thing predicate)', {});
    const half = await measure('7-day fleet chart, one site (listed names in chunks of ≤ 500)', { attr: [{ key: 'site', value: 'berlin' }] });
    console.log(
      JSON.stringify(
        {
          benchmark: 'telemetry',
          machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: round(os.totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` },
          setup: { devices: DEVICES, simThings: DEVICES, setupMs: Math.round(setupMs) },
          targetRepeatServerMs: TARGET_REPEAT_MS,
          fleetSelectionQueryUnderRlsMsP50: round(percentile(selectionMs, 0.5)),
          charts: [whole, half],
        },
        null,
        2,
      ),
    );
    await closeDatabase();
  } finally {
    await admin.end();
    await sim.stop();
    await pg.stop();
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
