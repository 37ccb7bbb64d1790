// `npm run bench:anomaly`: the cost of one anomaly rule's evaluation over 10k and 100k devices on a
// fresh Postgres with the migrations. Per fleet size: learning baselines (refreshBaselines, in batches
// of 2,000, timed over BENCH_REFRESH_BATCHES batches, and one evaluation's time-bounded share,
// refreshDueBaselines), scoring (before: every device's recent points, the round-1 path; after: the
// prefilter on cached current values alone, and with one full-scan batch), own history and with
// peers, and a whole evaluateAlerts run with the hook both ways (baselines fresh, and with every
// baseline due). Prints one JSON object with the machine.

import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import postgres from 'postgres';
import { generateKeyEntry } from '../../src/lib/vault';
import { STATE_DIR } from '../stack/config';
import { applyBootstrap, pushMigrations } from '../stack/db';
import { startPostgres } from '../stack/postgres';
import { insertAnomalyRule, seedAnomalyBaselines, seedAnomalyHistory } from './anomaly-seed';
import { createBenchOrg, seedCatalog, seedDevices } from './device-seed';

const SIZES = (process.env.BENCH_DEVICES ?? '10000,100000').split(',').map(Number);
const INTERVAL_MINUTES = Number(process.env.BENCH_INTERVAL_MINUTES ?? 10);
const REFRESH_BATCHES = Number(process.env.BENCH_REFRESH_BATCHES ?? 3);
// Seeding 100k devices × a day of points takes long on a small machine: the scoring reads only the
// last hour or two, so a big fleet can be seeded with less (the refresh figures then learn from less).
const RAW_HOURS = Number(process.env.BENCH_RAW_HOURS ?? 24);
const ROLLUP_DAYS = Number(process.env.BENCH_ROLLUP_DAYS ?? 7);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const offset = Number(process.env.FLEETLINE_TEST_PORT_OFFSET ?? 0);
const PORT = Number(process.env.FLEETLINE_BENCH_DB_PORT ?? 54432 + offset);
const NOW = new Date(Date.UTC(2026, 11, 8, 12, 0, 0));

const dataDir = path.join(STATE_DIR, `bench-anomaly-${PORT}`, 'db');
await rm(path.dirname(dataDir), { recursive: true, force: true });
const pg = await startPostgres({ dataDir, port: PORT });
process.env.DATABASE_URL = pg.url;
process.env.FLEETLINE_VAULT_KEYS ||= generateKeyEntry('bench1');
const sql = postgres(pg.url, { max: 2, onnotice: () => {} });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await fn();
  return { ms: Math.round((performance.now() - started) * 10) / 10, result };
}

try {
  await applyBootstrap(pg.url);
  await pushMigrations(pg.url);
  const { asService, closeDatabase } = await import('../../src/lib/db');
  const { deviceFilterWhere } = await import('../../src/features/devices/filters');
  const { anomalyCandidates, currentValue, DEFAULT_ANOMALY_OPTIONS, metricHistory, refreshBaselines, refreshDueBaselines, scoreAnomalies } = await import('../../src/features/alerts/anomaly');
  const { evaluateAlerts } = await import('../../src/features/alerts/evaluate');
  const results = [];
  for (const [i, devices] of SIZES.entries()) {
    const org = await createBenchOrg(sql, `anomaly${i}`, 1);
    await seedCatalog(sql, org);
    await seedDevices(sql, org, devices, 40 + i);
    const seeded = await timed(() => seedAnomalyHistory(sql, { orgId: org.orgId, metric: 'temperature', now: NOW, rawHours: RAW_HOURS, intervalMinutes: INTERVAL_MINUTES, rollupDays: ROLLUP_DAYS }));
    await sql`analyze`;
    const ruleId = await insertAnomalyRule(sql, org.orgId, 'temperature');
    const peerRuleId = await insertAnomalyRule(sql, org.orgId, 'temperature', 'group');
    const metric = metricHistory('temperature');
    const batch = 2000;

    // Learning: the first REFRESH_BATCHES batches of the rule, as successive evaluations would run them.
    const refresh: number[] = [];
    for (let b = 0; b < REFRESH_BATCHES; b++) {
      const run = await timed(() => asService((tx) => refreshBaselines(tx, { orgId: org.orgId, ruleId, metric, where: deviceFilterWhere(tx, org.orgId, {}), now: NOW, batch, maxAgeMs: 3_600_000 })));
      refresh.push(run.ms);
    }
    // One evaluation's share of relearning (the hook's count and time budget), on baselines still missing.
    const share: { ms: number; learned: number }[] = [];
    for (let b = 0; b < REFRESH_BATCHES; b++) {
      const run = await timed(() => asService((tx) => refreshDueBaselines(tx, { orgId: org.orgId, ruleId, metric, where: deviceFilterWhere(tx, org.orgId, {}), now: NOW })));
      share.push({ ms: run.ms, learned: run.result });
    }
    // The rest learned as the model says (same shape as a finished refresh), so scoring sees the whole fleet.
    await seedAnomalyBaselines(sql, { orgId: org.orgId, ruleId, metric: 'temperature', now: NOW, intervalMinutes: INTERVAL_MINUTES });
    await seedAnomalyBaselines(sql, { orgId: org.orgId, ruleId: peerRuleId, metric: 'temperature', now: NOW, intervalMinutes: INTERVAL_MINUTES });
    await sql`analyze public.alert_anomaly_baselines`;

    // `fullScan`: null = the round-1 path (every device's recent points); else the prefilter with that full-scan batch.
    const scanBatch = (await sql<{ id: string }[]>`select id from public.devices where org_id = ${org.orgId} order by id limit ${DEFAULT_ANOMALY_OPTIONS.fullScanBatch}`).map((r) => r.id);
    const score = async (rule: string, peers: 'off' | 'group', fullScan: string[] | null) => {
      const times: number[] = [];
      let verdicts = 0;
      for (let r = 0; r < RUNS; r++) {
        const run = await timed(() =>
          asService((tx) =>
            scoreAnomalies(tx, {
              orgId: org.orgId, ruleId: rule, metric, where: deviceFilterWhere(tx, org.orgId, {}), now: NOW, sensitivity: 'medium', minHistoryHours: 1, peers, pointLookbackMs: 300_000,
              scope:
                fullScan === null
                  ? { kind: 'all' }
                  : { kind: 'prefilter', current: currentValue(tx, org.orgId, 'temperature', metric, new Date(NOW.getTime() - 3_600_000), NOW, new Date(NOW.getTime() - 300_000)), fullScan },
            }),
          ),
        );
        times.push(run.ms);
        verdicts = run.result.length;
      }
      return { p50Ms: median(times), maxMs: Math.max(...times), verdicts };
    };
    const scoring = {
      before: { own: await score(ruleId, 'off', null), peers: await score(peerRuleId, 'group', null) },
      prefilter: { own: await score(ruleId, 'off', []), peers: await score(peerRuleId, 'group', []) },
      // The same with every device's cached column nulled, so each probes the store (a store-only fleet).
      prefilterStoreProbe: await (async () => {
        await sql`update public.devices set temperature = null where org_id = ${org.orgId}`;
        const probed = { own: await score(ruleId, 'off', []), peers: await score(peerRuleId, 'group', []) };
        await sql`update public.devices d set temperature = p.value from (select distinct on (device_id) device_id, value from public.telemetry_points
                  where org_id = ${org.orgId} and metric = 'temperature' order by device_id, ts desc) p where d.id = p.device_id`;
        return probed;
      })(),
      prefilterWithFullScanBatch: { batch: scanBatch.length, own: await score(ruleId, 'off', scanBatch), peers: await score(peerRuleId, 'group', scanBatch) },
    };
    await sql`update public.alert_rules set enabled = false where id = ${peerRuleId}`;

    // A whole evaluation of the one rule through evaluateAlerts with the hook: baselines fresh, then a batch due.
    // A rule that fails (say, a statement timeout) is logged and skipped by the evaluation: count those, or a fast failure would read as a fast evaluation.
    let ruleErrors = 0;
    const log = pino({ level: 'error' }, { write: () => void ruleErrors++ });
    const evaluation = async (scoring: 'full' | 'prefilter') => {
      const deps = { db: asService, log, notify: async () => ({ deliveries: 0 }), anomaly: anomalyCandidates({ scoring }) };
      // Each run one minute later, as the worker's cadence: the prefilter path then runs a full-scan batch in runs that are due.
      const fresh: number[] = [];
      for (let r = 0; r < RUNS; r++) fresh.push((await timed(() => evaluateAlerts(deps, { orgId: org.orgId, now: new Date(NOW.getTime() + r * 60_000) }))).ms);
      await sql`update public.alert_anomaly_baselines set refreshed_at = ${NOW}::timestamptz - interval '2 hours' where rule_id = ${ruleId}`;
      const due = await timed(() => evaluateAlerts(deps, { orgId: org.orgId, now: new Date(NOW.getTime() + RUNS * 60_000) }));
      await sql`update public.alert_anomaly_baselines set refreshed_at = ${NOW} where rule_id = ${ruleId}`;
      await sql`delete from public.alert_anomaly_scans where rule_id = ${ruleId}`;
      return { freshBaselinesMs: fresh, freshBaselinesP50Ms: median(fresh), withAllBaselinesDueMs: due.ms };
    };
    const evaluations = { before: await evaluation('full'), after: await evaluation('prefilter'), ruleErrors };

    const refreshP50 = median(refresh);
    results.push({
      devices,
      history: { rawPoints: seeded.result.points, hourlyRollups: seeded.result.rollups, rawHours: RAW_HOURS, rollupDays: ROLLUP_DAYS, intervalMinutes: INTERVAL_MINUTES, seedMs: seeded.ms },
      refresh: {
        batch,
        batchesMs: refresh,
        msPerDevice: Math.round((refreshP50 / batch) * 100) / 100,
        // Every baseline is relearned once an hour: the share of an hour one core spends on it.
        fullFleetSeconds: Math.round(((refreshP50 / batch) * devices) / 100) / 10,
        // The hook's per-evaluation share (count and time budget): learned per evaluation, and its cost.
        perEvaluation: share,
      },
      scoring,
      evaluation: evaluations,
    });
    console.error(`done ${devices}`);
  }
  await closeDatabase();
  const cpus = os.cpus();
  console.log(JSON.stringify({
    bench: 'anomaly',
    machine: { cores: cpus.length, cpu: cpus[0]?.model ?? null, node: process.version, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
    settings: DEFAULT_ANOMALY_OPTIONS,
    results,
  }, null, 2));
} finally {
  await sql.end();
  await pg.stop();
  await rm(path.dirname(dataDir), { recursive: true, force: true });
}
