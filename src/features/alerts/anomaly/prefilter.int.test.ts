import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { writeTelemetryPoints } from '@/features/telemetry-store/service';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgContext, type TestOrg } from '../../../../scripts/test/fixtures';
import { prng } from '../detector/synthetic';
import { createRuleSchema } from '../schemas';
import { createRule } from '../service';
import { currentValue, fullScanBatch, metricHistory, refreshBaselines, scoreAnomalies, type PeerMode } from '.';
import { SUSTAIN_WINDOW_MS } from './constants';

/**
 * The prefilter path: only devices whose current value leaves the hold band (or that have an open
 * alert, or are in this evaluation's full-scan batch) are scored on their recent points. A stuck
 * sensor sits inside the band, so it is found by the rotating full scan, not by the prefilter; the
 * rotation visits every device once per pass and rests between passes. The scan state is
 * service-only.
 */
const NOW = new Date(Date.UTC(2026, 10, 20, 12));
const MIN = 60_000;
const metric = metricHistory('temperature');
let org: TestOrg;
let other: TestOrg;
let ids: string[];
let spiking: string;
let stuck: string;
let ruleId: string;
let peerRuleId: string;

beforeAll(async () => {
  org = await createTestOrg('anomaly-prefilter');
  other = await createTestOrg('anomaly-prefilter-other');
  const integrationId = (await createTestIntegration(org)).id;
  const rand = prng(11);
  ids = [];
  for (let i = 0; i < 6; i++) {
    const id = randomUUID();
    ids.push(id);
    await adminSql()`insert into public.devices (id, org_id, integration_id, thing_name, status, groups, sync_hash)
                     values (${id}, ${org.id}, ${integrationId}, ${`pre-${i}`}, 'online', ${['hall']}, 'test')`;
  }
  [spiking, stuck] = [ids[0]!, ids[1]!];
  for (const id of ids) {
    const points = Array.from({ length: 2 * 144 }, (_, k) => {
      const ts = new Date(NOW.getTime() - (2 * 144 - k) * 10 * MIN);
      const recent = NOW.getTime() - ts.getTime() <= 3 * 3_600_000;
      // The last three hours: one device jumps far out, one repeats a normal value (stuck), the rest stay noisy.
      const value = id === spiking && k === 2 * 144 - 1 ? 40 : id === stuck && recent ? 20 : 20 + 0.6 * (rand() - 0.5);
      return { orgId: org.id, integrationId, deviceId: id, metric: 'temperature', ts, value };
    });
    await asService((tx) => writeTelemetryPoints(tx, points));
  }
  for (const peers of ['off', 'group'] as const) {
    const parsed = createRuleSchema.parse({ name: `prefilter ${peers}`, condition: { kind: 'anomaly', metric: 'temperature', peers } });
    const id = (await as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), parsed))).ruleId;
    if (peers === 'off') ruleId = id;
    else peerRuleId = id;
  }
  await asService(async (tx) => {
    // Learned before the stuck hours, as an hourly refresh would have.
    const learnedAt = new Date(NOW.getTime() - 3 * 3_600_000 - MIN);
    for (const id of [ruleId, peerRuleId]) await refreshBaselines(tx, { orgId: org.id, ruleId: id, metric, where: tx`d.org_id = ${org.id}`, now: learnedAt, batch: 100, maxAgeMs: 3_600_000 });
  });
}, 120_000);

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

function score(rule: string, peers: PeerMode, fullScan: string[] | 'all') {
  return asService((tx) =>
    scoreAnomalies(tx, {
      orgId: org.id, ruleId: rule, metric, where: tx`d.org_id = ${org.id}`, now: NOW, sensitivity: 'medium', minHistoryHours: 24, peers, pointLookbackMs: 10 * MIN,
      scope: fullScan === 'all' ? { kind: 'all' } : { kind: 'prefilter', current: currentValue(tx, org.id, 'temperature', metric, new Date(NOW.getTime() - SUSTAIN_WINDOW_MS), NOW), fullScan },
    }),
  );
}
const kinds = (vs: Awaited<ReturnType<typeof score>>) => Object.fromEntries(vs.filter((v) => v.verdict === 'fire').map((v) => [v.deviceId, v.details?.anomaly]));

describe('prefilter scoring', () => {
  it('finds the spike from the current value alone, and the stuck sensor only when it is in the full-scan batch', async () => {
    expect(kinds(await score(ruleId, 'off', 'all'))).toEqual({ [spiking]: 'spike', [stuck]: 'stuck' });
    expect(kinds(await score(ruleId, 'off', []))).toEqual({ [spiking]: 'spike' });
    expect(kinds(await score(ruleId, 'off', [stuck]))).toEqual({ [spiking]: 'spike', [stuck]: 'stuck' });
  });

  it('keeps scoring a device with an open alert of the rule', async () => {
    await adminSql()`insert into public.alerts (org_id, rule_id, subject_key, device_id, state, severity, condition_since, fired_at, last_evaluated_at, summary, details)
                     values (${org.id}, ${ruleId}, ${stuck}, ${stuck}, 'firing', 'warning', ${NOW}, ${NOW}, ${NOW}, 'stuck', '{}'::jsonb)`;
    try {
      expect(kinds(await score(ruleId, 'off', []))).toEqual({ [spiking]: 'spike', [stuck]: 'stuck' });
    } finally {
      await adminSql()`delete from public.alerts where rule_id = ${ruleId}`;
    }
  });

  it('still compares every device with its peers (on cached values where no points were read)', async () => {
    const full = (await score(peerRuleId, 'group', 'all')).filter((v) => v.details?.anomaly === 'peer' || v.deviceId === spiking).map((v) => v.deviceId);
    const pre = (await score(peerRuleId, 'group', [])).filter((v) => v.details?.anomaly === 'peer' || v.deviceId === spiking).map((v) => v.deviceId);
    expect(pre).toContain(spiking);
    expect(pre.sort()).toEqual(full.sort());
  });
});

describe('rotating full scan', () => {
  it('visits every device once per pass, in batches, then rests for the interval', async () => {
    const batch = (at: Date) => asService((tx) => fullScanBatch(tx, { orgId: org.id, ruleId, now: at, intervalMs: 10 * MIN, batch: 4 }));
    const first = await batch(NOW);
    const second = await batch(new Date(NOW.getTime() + MIN));
    expect(first).toHaveLength(4);
    expect(second).toHaveLength(2);
    expect([...first, ...second].sort()).toEqual([...ids].sort());
    expect(await batch(new Date(NOW.getTime() + 5 * MIN))).toEqual([]);
    expect(await batch(new Date(NOW.getTime() + 12 * MIN))).toHaveLength(4);
  });

  it('keeps its state service-only and per organization', async () => {
    await expect(as(other.members.owner, (db) => db`select * from public.alert_anomaly_scans`)).rejects.toThrow(/permission denied/);
    await expect(as(org.members.owner, (db) => db`select * from public.alert_anomaly_scans`)).rejects.toThrow(/permission denied/);
    const [row] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.alert_anomaly_scans s join public.alert_rules r on r.id = s.rule_id where r.org_id <> s.org_id`;
    expect(row!.n).toBe(0);
  });
});
