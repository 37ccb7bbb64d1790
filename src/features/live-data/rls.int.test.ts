import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { ORG_ROLES } from '@/lib/roles';
import { adminSql, as, asAnon, closeAdminSql, createTestIntegration, createTestOrg, type TestIntegration, type TestOrg } from '../../../scripts/test/fixtures';
import { getLiveData } from './queries';
import { enableLiveDataForTest } from './test-support';

/**
 * Live-data tables per persona: every member of A reads A's live-data state and rejection counters
 * (never the secret's hash or the confirmation token), B and anonymous callers read nothing, and
 * nobody but the server writes.
 */
let orgA: TestOrg;
let orgB: TestOrg;
let integrationA: TestIntegration;

beforeAll(async () => {
  orgA = await createTestOrg('live-rls-a');
  orgB = await createTestOrg('live-rls-b');
  integrationA = await createTestIntegration(orgA);
  await enableLiveDataForTest(integrationA);
  await adminSql()`update public.integration_live_data set confirmation_token = 'tok' where integration_id = ${integrationA.id}`;
  await adminSql()`insert into public.ingest_rejections (org_id, integration_id, reason, count) values (${orgA.id}, ${integrationA.id}, 'unknown_device', 3)`;
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('reading', () => {
  it.each(ORG_ROLES)('a %s of A sees the card’s data and the counters', async (role) => {
    const live = await as(orgA.members[role], (db) => getLiveData(db, orgA.id, integrationA.id));
    expect(live).toMatchObject({ enabled: true, topicFilter: 'dt/+/telemetry', rejections: [{ reason: 'unknown_device', count: 3 }] });
    expect(live!.secretHint).toMatch(/^…/);
  });

  it.each(ORG_ROLES)('a %s of A cannot read the secret hash (current or previous) or the confirmation token', async (role) => {
    const user = orgA.members[role];
    await expect(as(user, (db) => db`select secret_hash from public.integration_live_data`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(user, (db) => db`select previous_secret_hash from public.integration_live_data`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(user, (db) => db`select confirmation_token from public.integration_live_data`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(user, (db) => db`select * from public.integration_live_data`)).rejects.toMatchObject({ code: '42501' });
  });

  it('a member of B sees nothing of A; anonymous callers have no access', async () => {
    expect(await as(orgB.members.owner, (db) => getLiveData(db, orgA.id, integrationA.id))).toBeNull();
    expect(await as(orgB.members.owner, (db) => db`select reason from public.ingest_rejections`)).toHaveLength(0);
    await expect(asAnon((db) => db`select enabled from public.integration_live_data`)).rejects.toMatchObject({ code: '42501' });
    await expect(asAnon((db) => db`select reason from public.ingest_rejections`)).rejects.toMatchObject({ code: '42501' });
  });
});

describe('writing', () => {
  it.each(ORG_ROLES)('a %s of A can neither switch live data, reset counters nor set presence columns', async (role) => {
    const user = orgA.members[role];
    await expect(as(user, (db) => db`update public.integration_live_data set enabled = false`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(user, (db) => db`delete from public.ingest_rejections`)).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(user, (db) => db`insert into public.ingest_rejections (org_id, integration_id, reason, count) values (${orgA.id}, ${integrationA.id}, 'bad_value', 1)`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(as(user, (db) => db`update public.devices set presence_at = now()`)).rejects.toMatchObject({ code: '42501' });
  });
});
