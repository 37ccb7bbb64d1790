import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { writeTelemetryPoints } from '@/features/telemetry-store/service';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgContext, type TestOrg } from '../../../../scripts/test/fixtures';
import { prng } from '../detector/synthetic';
import { createRuleSchema } from '../schemas';
import { createRule } from '../service';
import { metricHistory, refreshBaselines, scoreAnomalies, type PeerMode } from '.';

/**
 * Peer deviation in SQL: a device whose own history is steady but whose value is far from the
 * rest of its thing group fires only with peers on; devices of another organization in a group of
 * the same name never count as peers (nor do their baselines or points get read).
 */
const NOW = new Date(Date.UTC(2026, 10, 20, 12));
const MIN = 60_000;
let orgA: TestOrg;
let orgB: TestOrg;
let odd: string;
const rules: Record<string, string> = {};

async function fleet(org: TestOrg, levels: number[]): Promise<string[]> {
  const integrationId = (await createTestIntegration(org)).id;
  const rand = prng(levels.length * 7);
  const ids: string[] = [];
  for (const [i, level] of levels.entries()) {
    const id = randomUUID();
    ids.push(id);
    await adminSql()`insert into public.devices (id, org_id, integration_id, thing_name, status, groups, sync_hash)
                     values (${id}, ${org.id}, ${integrationId}, ${`peer-${i}`}, 'online', ${['hall']}, 'test')`;
    const points = Array.from({ length: 2 * 144 }, (_, k) => ({
      orgId: org.id, integrationId, deviceId: id, metric: 'temperature', ts: new Date(NOW.getTime() - (2 * 144 - k) * 10 * MIN), value: level + 0.3 * (rand() - 0.5),
    }));
    await asService((tx) => writeTelemetryPoints(tx, points));
  }
  return ids;
}

async function verdicts(org: TestOrg, peers: PeerMode) {
  const ruleId = rules[`${org.id}:${peers}`]!;
  return asService(async (tx) => {
    const where = tx`d.org_id = ${org.id}`;
    const metric = metricHistory('temperature');
    await refreshBaselines(tx, { orgId: org.id, ruleId, metric, where, now: NOW, batch: 100, maxAgeMs: 3_600_000 });
    return scoreAnomalies(tx, { orgId: org.id, ruleId, metric, where, now: NOW, sensitivity: 'medium', minHistoryHours: 24, peers, pointLookbackMs: 10 * MIN });
  });
}

beforeAll(async () => {
  orgA = await createTestOrg('anomaly-peers-a');
  orgB = await createTestOrg('anomaly-peers-b');
  const idsA = await fleet(orgA, [20, 20.2, 19.9, 20.1, 19.8, 20, 27]);
  odd = idsA.at(-1)!;
  // Another organization's "hall" runs hot: were it counted, 27 would look normal.
  await fleet(orgB, [27, 27.1, 26.9, 27, 27.2, 26.8]);
  for (const org of [orgA, orgB]) {
    for (const peers of ['off', 'group'] as const) {
      const parsed = createRuleSchema.parse({ name: `peers ${peers}`, condition: { kind: 'anomaly', metric: 'temperature', peers } });
      rules[`${org.id}:${peers}`] = (await as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), parsed))).ruleId;
    }
  }
}, 120_000);

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('peer deviation', () => {
  it('fires for the device that stands out from its group, only with peers on', async () => {
    expect(await verdicts(orgA, 'off')).toEqual([]);
    expect(await verdicts(orgA, 'group')).toEqual([
      expect.objectContaining({ deviceId: odd, verdict: 'fire', details: expect.objectContaining({ anomaly: 'peer', peerGroup: 'hall', source: 'telemetry' }) }),
    ]);
  });

  it('counts only the organization\'s own devices as peers', async () => {
    expect(await verdicts(orgB, 'group')).toEqual([]);
    const [row] = await adminSql()<{ foreign: number }[]>`
      select count(*)::int as foreign from public.alert_anomaly_baselines b join public.devices d on d.id = b.device_id
      where b.org_id <> d.org_id or (b.rule_id = ${rules[`${orgA.id}:group`]!} and d.org_id <> ${orgA.id})`;
    expect(row!.foreign).toBe(0);
  });
});
