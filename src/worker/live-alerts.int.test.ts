import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { jobQueue } from '@/lib/jobs/queue-client';
import { ALERTS_EVALUATE_SLOT_SECONDS, QUEUES } from '@/lib/jobs/queues';
import type { AlertEvent } from '@/features/alerts/events';
import { createRuleSchema } from '@/features/alerts/schemas';
import { createRule } from '@/features/alerts/service';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { alertEvaluationAfterIngest } from '@/features/live-data/alert-requests';
import { ingestLimits } from '@/features/live-data/config';
import { handleIngestRequest, type LiveDataHttpDeps } from '@/features/live-data/http';
import { INGEST_SECRET_HEADER } from '@/features/live-data/secret';
import { enableLiveDataForTest } from '@/features/live-data/test-support';
import { createWriteCombiner } from '@/features/telemetry-store/combiner';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgContext, silentLog, testKeyring, type TestIntegration, type TestOrg } from '../../scripts/test/fixtures';
import { handleAlertsEvaluateJobs, type AlertsWorkerDeps } from './alerts-handler';

/**
 * Live data feeds alert evaluation (issue 12): a batch posted to the ingest endpoint requests an
 * evaluation through the job queue, which the worker's handler runs, so an offline rule fires on a
 * disconnect event and a telemetry threshold on ingested points, with no sync at all. A flood of
 * batches yields at most one evaluation request per organization and slot.
 */
let org: TestOrg;
let integration: TestIntegration;
let secret: string;
const devices = new Map<string, string>();
const events: AlertEvent[] = [];
let workId: string;

const alertDeps: AlertsWorkerDeps = {
  db: asService,
  log: silentLog,
  notify: async (_db, sent) => {
    events.push(...sent);
    return { deliveries: 0 };
  },
};

const httpDeps: LiveDataHttpDeps = {
  ingest: { db: asService, writePoints: createWriteCombiner({ db: asService }).write, limits: ingestLimits({}), afterWrite: alertEvaluationAfterIngest({ queue: jobQueue, log: silentLog }) },
  confirm: { db: asService, runtime: { clients: integrationClients(testKeyring(), {}), db: asService } },
};

async function post(body: unknown): Promise<Response> {
  const request = new Request(`http://127.0.0.1/api/ingest/v1/${integration.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [INGEST_SECRET_HEADER]: secret },
    body: JSON.stringify(body),
  });
  return handleIngestRequest(httpDeps, request, integration.id);
}

async function rule(input: Record<string, unknown>): Promise<string> {
  const parsed = createRuleSchema.parse({ name: `live-${Math.random().toString(36).slice(2, 8)}`, ...input });
  return (await as(org.members.operator, (db) => createRule(orgContext(db, org, 'operator'), parsed))).ruleId;
}

async function alertOf(ruleId: string, deviceId: string) {
  const [row] = await adminSql()<{ state: string; last_value: number | null }[]>`
    select state, last_value from public.alerts where rule_id = ${ruleId} and device_id = ${deviceId} and state <> 'resolved'`;
  return row ?? null;
}

beforeAll(async () => {
  org = await createTestOrg('live-alerts');
  integration = await createTestIntegration(org);
  secret = await enableLiveDataForTest(integration);
  const rows = await adminSql()<{ id: string; thing_name: string }[]>`
    insert into public.devices (org_id, integration_id, thing_name, sync_hash, connected, status, last_seen_at, connectivity_changed_at)
    values (${org.id}, ${integration.id}, 'pump-1', 'x', true, 'online', now(), now() - interval '1 hour'),
           (${org.id}, ${integration.id}, 'pump-2', 'x', true, 'online', now(), now() - interval '1 hour')
    returning id, thing_name`;
  for (const r of rows) devices.set(r.thing_name, r.id);
  // The worker's poller of the queue, on this process's job queue.
  const boss = await jobQueue();
  workId = await boss.work(QUEUES.alertsEvaluate, { pollingIntervalSeconds: 0.5, batchSize: 20 }, (jobs) => handleAlertsEvaluateJobs(alertDeps, jobs));
});

afterAll(async () => {
  const boss = await jobQueue();
  await boss.offWork({ id: workId });
  await boss.stop({ graceful: false, close: false });
  await closeAdminSql();
  await closeDatabase();
});

describe('alert evaluation after live data', () => {
  it('opens an offline alert from a disconnect event posted to the ingest endpoint, without a sync', async () => {
    const ruleId = await rule({ filter: { integration: integration.id }, condition: { kind: 'offline', minutes: 1 } });
    const deviceId = devices.get('pump-1')!;
    // The device's lifecycle event: it dropped off two minutes ago (delivered late, as rules may).
    const res = await post({ clientId: 'pump-1', eventType: 'disconnected', timestamp: Date.now() - 2 * 60_000, disconnectReason: 'CONNECTION_LOST' });
    expect(await res.json()).toMatchObject({ accepted: 1, presence: 1 });
    await expect.poll(() => alertOf(ruleId, deviceId), { timeout: 15_000, interval: 200 }).toMatchObject({ state: 'firing' });
    expect(events).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'fired', ruleId, deviceId, thingName: 'pump-1' })]));
    const [runs] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.sync_runs where integration_id = ${integration.id}`;
    expect(runs!.n).toBe(0);
  });

  it('fires a threshold on a telemetry metric from ingested points, and resolves it when a new point clears it', async () => {
    const ruleId = await rule({ filter: { integration: integration.id }, condition: { kind: 'threshold', metric: { telemetry: 'pressure' }, op: 'gt', value: 5, clearValue: 4 } });
    const deviceId = devices.get('pump-2')!;
    expect((await post([{ thing: 'pump-2', ts: Date.now() - 1000, pressure: 7.5 }])).status).toBe(200);
    await expect.poll(() => alertOf(ruleId, deviceId), { timeout: 15_000, interval: 200 }).toMatchObject({ state: 'firing', last_value: 7.5 });
    // The latest point counts, not the highest: back under the clear level resolves it.
    expect((await post([{ thing: 'pump-2', ts: Date.now(), pressure: 3.9 }])).status).toBe(200);
    await expect.poll(() => alertOf(ruleId, deviceId), { timeout: 15_000, interval: 200 }).toBeNull();
    const [resolved] = await adminSql()<{ last_value: number }[]>`select last_value from public.alerts where rule_id = ${ruleId} and state = 'resolved'`;
    expect(resolved!.last_value).toBe(3.9);
  });

  it('turns a flood of batches into at most one evaluation request per slot, the last batch included', async () => {
    const since = new Date();
    const started = Date.now();
    let lastPostAt = 0;
    for (let i = 0; i < 40; i++) {
      lastPostAt = Date.now();
      expect((await post([{ thing: 'pump-1', ts: Date.now() - 500 + i, vibration: i }])).status).toBe(200);
    }
    const elapsedSlots = Math.ceil((Date.now() - started) / 1000 / ALERTS_EVALUATE_SLOT_SECONDS);
    // Wait for the trailing request of the last window.
    await new Promise((r) => setTimeout(r, ALERTS_EVALUATE_SLOT_SECONDS * 1000 + 200));
    const [jobs] = await adminSql()<{ n: number; last: Date }[]>`
      select count(*)::int as n, max(created_on) as last from pgboss.job
      where name = ${QUEUES.alertsEvaluate} and singleton_key = ${org.id} and created_on >= ${since}`;
    expect(jobs!.n).toBeGreaterThanOrEqual(1);
    expect(jobs!.n).toBeLessThanOrEqual(elapsedSlots + 1);
    // A request was made once the last batch came in (the trailing one, or its own), so it is evaluated too.
    expect(jobs!.last.getTime()).toBeGreaterThanOrEqual(lastPostAt);
  });
});
