// Overview aggregates at scale. `measureOverview(sql, orgId, iterations)` times getFleetOverview
// the way the page runs it (one transaction as an `authenticated` member, RLS on) and returns
// p50/p95 plus EXPLAIN ANALYZE plans. Run standalone (`tsx scripts/bench/overview.ts`), it starts
// its own Postgres, seeds 100,000 + 100,000 devices in two organizations and prints one JSON object.

import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { getFleetOverview, overviewStatements } from '../../src/features/overview/queries';
import { STATE_DIR, TEST_PORTS } from '../stack/config';
import { applyBootstrap, pushMigrations } from '../stack/db';
import { startPostgres } from '../stack/postgres';
import { BENCH_FLEET, seedOverviewFleet } from './overview-fleet';

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;

export interface OverviewMeasurement {
  orgId: string;
  liveDevices: number;
  iterations: number;
  p50Ms: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  /** EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of each statement, run as the same member. */
  plans: Record<keyof typeof overviewStatements, unknown>;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? 0;

/** What asUser does: a transaction as `authenticated` with the member's claims. */
async function asMember<T>(sql: Sql, userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (await sql.begin(async (tx) => {
    const claims = JSON.stringify({ sub: userId, role: 'authenticated', aud: 'authenticated' });
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    return fn(tx);
  })) as T;
}

export async function measureOverview(sql: Sql, orgId: string, iterations = 50): Promise<OverviewMeasurement> {
  // The weakest member: a viewer sees the same overview, and RLS does the same work for any role.
  const [member] = await sql<{ user_id: string }[]>`select user_id from public.memberships where org_id = ${orgId} order by role limit 1`;
  if (!member) throw new Error(`organization ${orgId} has no member to run the overview as`);
  const userId = member.user_id;

  let liveDevices = 0;
  for (let i = 0; i < 3; i++) liveDevices = (await asMember(sql, userId, (tx) => getFleetOverview(tx, orgId))).devices.total;
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await asMember(sql, userId, (tx) => getFleetOverview(tx, orgId));
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);

  const plans = {} as OverviewMeasurement['plans'];
  for (const [name, statement] of Object.entries(overviewStatements) as [keyof typeof overviewStatements, (typeof overviewStatements)[keyof typeof overviewStatements]][]) {
    const [row] = await asMember(sql, userId, (tx) => tx<{ 'QUERY PLAN': unknown }[]>`explain (analyze, buffers, format json) ${statement(tx, orgId)}`);
    plans[name] = row!['QUERY PLAN'];
  }
  return {
    orgId,
    liveDevices,
    iterations,
    p50Ms: round(percentile(times, 0.5)),
    p95Ms: round(percentile(times, 0.95)),
    minMs: round(times[0] ?? 0),
    maxMs: round(times.at(-1) ?? 0),
    plans,
  };
}

/** Rewrites battery and signal of 70 % of an org's devices, as a sync after a reporting cycle does. */
async function simulateSync(sql: Sql, orgId: string): Promise<number> {
  const rows = await sql`
    update public.devices set battery = greatest(0, battery - 1), rssi = rssi + 1, synced_at = now()
    where org_id = ${orgId} and removed_at is null and abs(hashtext(thing_name)) % 10 < 7`;
  return rows.count;
}

async function main(): Promise<void> {
  const iterations = Number(process.env.OVERVIEW_BENCH_ITERATIONS ?? 50);
  const port = Number(process.env.FLEETLINE_BENCH_DB_PORT ?? TEST_PORTS.db + 60);
  const dataDir = path.join(STATE_DIR, `bench-overview-${port}`, 'db');
  await rm(path.dirname(dataDir), { recursive: true, force: true });
  const pg = await startPostgres({ dataDir, port });
  const sql = postgres(pg.url, { max: 2, onnotice: () => {} });
  try {
    await applyBootstrap(pg.url);
    await pushMigrations(pg.url);
    const seedStarted = performance.now();
    const alpha = await seedOverviewFleet(sql, 'alpha');
    const beta = await seedOverviewFleet(sql, 'beta');
    await sql`vacuum analyze`;
    const seedMs = Math.round(performance.now() - seedStarted);

    const measured = [await measureOverview(sql, alpha.orgId, iterations), await measureOverview(sql, beta.orgId, iterations)];
    // Not vacuumed afterwards: the heap carries the dead row versions a real sync leaves behind.
    const rewritten = await simulateSync(sql, alpha.orgId);
    const afterSync = await measureOverview(sql, alpha.orgId, iterations);
    const [pgVersion] = await sql<{ version: string }[]>`select version()`;
    const result = {
      benchmark: 'overview',
      target: { p95Ms: 150 },
      fleet: { ...BENCH_FLEET, organizations: 2 },
      seedMs,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
        node: process.version,
        postgres: pgVersion?.version ?? 'unknown',
      },
      organizations: measured,
      afterSync: { rewrittenDevices: rewritten, ...afterSync },
      withinTarget: [...measured, afterSync].every((m) => m.p95Ms <= 150),
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await sql.end();
    await pg.stop();
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
