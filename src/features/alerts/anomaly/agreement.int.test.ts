import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { writeTelemetryPoints } from '@/features/telemetry-store/service';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgContext, type TestOrg } from '../../../../scripts/test/fixtures';
import { detect } from '../detector/detect';
import { evaluateDetections, type EvaluationCase } from '../detector/evaluate';
import { generateLabelledSet, type LabelledSeries } from '../detector/synthetic';
import { createRuleSchema } from '../schemas';
import { createRule } from '../service';
import { replay } from './replay';

/**
 * Agreement of the SQL path with the pure detector on the same labelled synthetic series: the
 * series are stored as telemetry of one device each, the SQL path is replayed every 10 minutes
 * (baselines refreshed hourly) and both are scored per kind on the labels. The SQL path does not
 * tell a drift from a level shift (both are a sustained deviation), so drift labels count as
 * level shifts for the strict figures of both.
 */
const SEED = 2;
const COUNT = 12;
const START = Date.UTC(2026, 10, 2);
const STEP_MS = 10 * 60_000;

let org: TestOrg;
let integrationId: string;
let set: LabelledSeries[];
const deviceOf = new Map<string, string>();

beforeAll(async () => {
  org = await createTestOrg('anomaly-agree');
  integrationId = (await createTestIntegration(org)).id;
  set = generateLabelledSet(SEED, COUNT, { start: START });
  for (const s of set) {
    const id = randomUUID();
    deviceOf.set(id, s.id);
    await adminSql()`insert into public.devices (id, org_id, integration_id, thing_name, status, sync_hash) values (${id}, ${org.id}, ${integrationId}, ${s.id}, 'online', 'test')`;
    for (let i = 0; i < s.series.length; i += 5000) {
      const chunk = s.series.slice(i, i + 5000).map((p) => ({ orgId: org.id, integrationId, deviceId: id, metric: 'temperature', ts: new Date(p.t), value: p.v }));
      await asService((tx) => writeTelemetryPoints(tx, chunk));
    }
  }
}, 120_000);

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

const merged = (kind: string) => (kind === 'drift' ? 'level_shift' : kind) as 'spike' | 'level_shift' | 'stuck';

describe('SQL scoring agrees with the detector on labelled series', () => {
  it('finds the labelled spikes, shifts and stuck runs', async () => {
    const rule = async (name: string) =>
      (await as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), createRuleSchema.parse({ name, condition: { kind: 'anomaly', metric: 'temperature', minHistoryHours: 24 } })))).ruleId;
    const from = new Date(Math.min(...set.map((s) => s.series[0]!.t)));
    const to = new Date(Math.max(...set.map((s) => s.series.at(-1)!.t)));
    // The prefilter path as the worker runs it, a full pass (stuck / drift) every 30 min so two of three
    // steps score only the current values; and the round-1 path (every device's recent points each step).
    const result = await replay({ db: asService, orgId: org.id, ruleId: await rule('agreement'), integrationId, metric: 'temperature', from, to, stepMs: STEP_MS, fullScanIntervalMs: 30 * 60_000 });
    const full = await replay({ db: asService, orgId: org.id, ruleId: await rule('agreement full'), integrationId, metric: 'temperature', from, to, stepMs: STEP_MS, scoring: 'full' });

    const labels = (s: LabelledSeries) => s.labels.map((l) => ({ ...l, kind: merged(l.kind) }));
    const sqlCases: EvaluationCase[] = [];
    const fullCases: EvaluationCase[] = [];
    const detectorCases: EvaluationCase[] = [];
    for (const [deviceId, seriesId] of deviceOf) {
      const s = set.find((x) => x.id === seriesId)!;
      sqlCases.push({ labels: labels(s), windows: result.windows.get(deviceId) ?? [] });
      fullCases.push({ labels: labels(s), windows: full.windows.get(deviceId) ?? [] });
      detectorCases.push({ labels: labels(s), windows: detect(s.series).windows.map((w) => ({ ...w, kind: merged(w.kind) })) });
    }
    const sql = evaluateDetections(sqlCases);
    const detector = evaluateDetections(detectorCases);
    const figures = (r: typeof sql) =>
      Object.fromEntries((['spike', 'level_shift', 'stuck', 'all'] as const).map((k) => [k, { recall: r.anyKind[k].recall, precision: r.anyKind[k].precision, strictRecall: r.strict[k].recall, labelled: r.anyKind[k].labelled }]));
    console.info(JSON.stringify({
      series: COUNT, seed: SEED, steps: result.steps, refreshMs: Math.round(result.refreshMs), scoreMs: Math.round(result.scoreMs), fullScoreMs: Math.round(full.scoreMs),
      sql: figures(sql), sqlFull: figures(evaluateDetections(fullCases)), detector: figures(detector),
    }));

    expect(sql.anyKind.all.labelled).toBeGreaterThan(10);
    expect(sql.anyKind.all.recall).toBeGreaterThanOrEqual(0.8);
    expect(sql.anyKind.all.precision).toBeGreaterThanOrEqual(0.8);
  }, 600_000);
});
