import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { closeDatabase } from '@/lib/db';
import { ORG_ROLES } from '@/lib/roles';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgContext, type TestIntegration, type TestOrg } from '../../../scripts/test/fixtures';
import { getDeviceKpis, getSyncStatus } from './queries';
import type { SyncJobPayload } from './schemas';
import { requestSync, type SyncQueue } from './service';

/** Sync now and the status read, as the action and the polling route call them (under RLS). */
let orgA: TestOrg;
let orgB: TestOrg;
let integrationA: TestIntegration;
let integrationB: TestIntegration;

function fakeQueue() {
  const sent: SyncJobPayload[] = [];
  const waiting = new Set<string>();
  const queue: SyncQueue = {
    async enqueue(payload) {
      sent.push(payload);
      if (waiting.has(payload.integrationId)) return null;
      waiting.add(payload.integrationId);
      return `job-${sent.length}`;
    },
  };
  return { queue, sent };
}

beforeAll(async () => {
  orgA = await createTestOrg('sync-svc-a');
  orgB = await createTestOrg('sync-svc-b');
  integrationA = await createTestIntegration(orgA, { name: 'A fleet' });
  integrationB = await createTestIntegration(orgB, { name: 'B fleet' });
  await adminSql()`
    insert into public.devices (org_id, integration_id, thing_name, sync_hash, status)
    select ${orgA.id}, ${integrationA.id}, 'sensor-' || n, 'h', (array['online', 'online', 'offline', 'stale', 'unknown'])[n]::public.device_status
    from generate_series(1, 5) n`;
  await adminSql()`
    insert into public.devices (org_id, integration_id, thing_name, sync_hash, status, removed_at)
    values (${orgA.id}, ${integrationA.id}, 'sensor-gone', 'h', 'online', now())`;
  await adminSql()`
    insert into public.sync_runs (org_id, integration_id, trigger, status, things_seen, api_calls, throttled, api_stats, finished_at, started_at)
    values (${orgA.id}, ${integrationA.id}, 'schedule', 'succeeded', 5, 3, 1, '{"SearchIndex": {"calls": 3, "throttled": 1, "errors": 0, "retries": 1, "ratePerSecond": 7.5}}', now(), now() - interval '1 minute')`;
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('requestSync', () => {
  it('queues a manual sync requested by the caller, once, and audits it', async () => {
    const { queue, sent } = fakeQueue();
    const first = await as(orgA.members.operator, (db) => requestSync(orgContext(db, orgA, 'operator'), { integrationId: integrationA.id }, queue));
    expect(first).toEqual({ state: 'queued' });
    const again = await as(orgA.members.operator, (db) => requestSync(orgContext(db, orgA, 'operator'), { integrationId: integrationA.id }, queue));
    expect(again).toEqual({ state: 'already_queued' });
    expect(sent[0]).toEqual({ integrationId: integrationA.id, trigger: 'manual', requestedBy: orgA.members.operator.id });
    const audit = await adminSql()`select actor_id, target_id from public.audit_log where org_id = ${orgA.id} and action = 'sync.requested'`;
    expect(audit).toHaveLength(2);
    expect(audit[0]).toEqual({ actor_id: orgA.members.operator.id, target_id: integrationA.id });
  });

  it("reports a running sync instead of queueing another", async () => {
    const [run] = await adminSql()`insert into public.sync_runs (org_id, integration_id, trigger) values (${orgA.id}, ${integrationA.id}, 'schedule') returning id`;
    try {
      const { queue, sent } = fakeQueue();
      const result = await as(orgA.members.admin, (db) => requestSync(orgContext(db, orgA, 'admin'), { integrationId: integrationA.id }, queue));
      expect(result).toEqual({ state: 'running', runId: run!.id });
      expect(sent).toEqual([]);
    } finally {
      await adminSql()`delete from public.sync_runs where id = ${run!.id}`;
    }
  });

  it("cannot reach another organization's integration", async () => {
    const { queue, sent } = fakeQueue();
    const attempt = as(orgB.members.owner, (db) => requestSync(orgContext(db, orgB, 'owner'), { integrationId: integrationA.id }, queue));
    await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    expect(sent).toEqual([]);
  });

  it('refuses a paused integration with its reason', async () => {
    await adminSql()`update public.integrations set status = 'paused', paused_reason = 'Credentials rejected three times.' where id = ${integrationB.id}`;
    const { queue, sent } = fakeQueue();
    await expect(
      as(orgB.members.owner, (db) => requestSync(orgContext(db, orgB, 'owner'), { integrationId: integrationB.id }, queue)),
    ).rejects.toMatchObject({ code: 'PRECONDITION', message: 'B fleet is paused: Credentials rejected three times. Resume it first.' });
    expect(sent).toEqual([]);
  });
});

describe('getSyncStatus', () => {
  it.each(ORG_ROLES)('shows a %s the integrations, runs and live device counts of their organization', async (role) => {
    const status = await as(orgA.members[role], (db) => getSyncStatus(db, orgA.id, { role, runs: 5 }));
    expect(status.canSync).toBe(role !== 'viewer');
    expect(status.devices).toEqual({ total: 5, online: 2, offline: 1, stale: 1, unknown: 1 });
    expect(status.integrations).toHaveLength(1);
    const [i] = status.integrations;
    expect(i).toMatchObject({ id: integrationA.id, name: 'A fleet', current: null });
    expect(i!.recent).toHaveLength(1);
    expect(i!.recent[0]).toMatchObject({ status: 'succeeded', thingsSeen: 5, apiCalls: 3, throttled: 1, apiStats: { SearchIndex: { calls: 3, throttled: 1 } } });
    expect(JSON.stringify(status)).not.toContain('credentials');
  });

  it("shows a member of B nothing of A, even when asked for A's organization or integration", async () => {
    const status = await as(orgB.members.owner, (db) => getSyncStatus(db, orgA.id, { role: 'owner', runs: 5 }));
    expect(status.integrations).toEqual([]);
    expect(status.devices).toEqual({ total: 0, online: 0, offline: 0, stale: 0, unknown: 0 });
    const one = await as(orgB.members.owner, (db) => getSyncStatus(db, orgB.id, { role: 'owner', runs: 5, integrationId: integrationA.id }));
    expect(one.integrations).toEqual([]);
    expect(await as(orgB.members.owner, (db) => getDeviceKpis(db, orgA.id, integrationA.id))).toMatchObject({ total: 0 });
  });
});
