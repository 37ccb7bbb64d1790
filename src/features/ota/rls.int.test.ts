import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { closeDatabase } from '@/lib/db';
import { ORG_ROLES } from '@/lib/roles';
import { adminSql, as, asAnon, closeAdminSql, createTestIntegration, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';

/**
 * The OTA timeline table per persona (members of A read A's events, nobody else reads or writes
 * any), and the triggers on ota_jobs: observed status changes land on the timeline, an older AWS
 * answer does not move a status back, and a sync listing older than a new job does not delete it.
 */
let orgA: TestOrg;
let orgB: TestOrg;
let stranger: SessionUser;
const jobs: Record<string, { jobId: string; integrationId: string; eventId: string }> = {};

async function seed(org: TestOrg) {
  const integration = await createTestIntegration(org);
  const sql = adminSql();
  const [job] = await sql<{ id: string }[]>`
    insert into public.ota_jobs (org_id, integration_id, job_id, status, last_updated_at_aws)
    values (${org.id}, ${integration.id}, 'job-1', 'IN_PROGRESS', now() - interval '1 minute') returning id`;
  const [event] = await sql<{ id: string }[]>`
    insert into public.ota_job_events (org_id, ota_job_id, kind, actor_id) values (${org.id}, ${job!.id}, 'created', ${org.members.owner.id}) returning id::text`;
  jobs[org.id] = { jobId: job!.id, integrationId: integration.id, eventId: event!.id };
}

beforeAll(async () => {
  orgA = await createTestOrg('rls-ota-a');
  orgB = await createTestOrg('rls-ota-b');
  stranger = orgB.members.admin;
  await seed(orgA);
  await seed(orgB);
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('ota_job_events', () => {
  it.each(ORG_ROLES)('a %s of A reads the events of A and none of B', async (role) => {
    const rows = await as(orgA.members[role], (db) => db<{ id: string; org_id: string }[]>`select id::text, org_id from public.ota_job_events`);
    expect(rows).toEqual([{ id: jobs[orgA.id]!.eventId, org_id: orgA.id }]);
  });

  it('a member of B cannot read A’s events, even by job id', async () => {
    const rows = await as(stranger, (db) => db`select 1 from public.ota_job_events where ota_job_id = ${jobs[orgA.id]!.jobId}`);
    expect(rows).toEqual([]);
  });

  it('an anonymous caller reads nothing', async () => {
    await expect(asAnon((db) => db`select 1 from public.ota_job_events`)).rejects.toMatchObject({ code: '42501' });
  });

  it.each(ORG_ROLES)('a %s cannot write events, even in their own organization', async (role) => {
    const user = orgA.members[role];
    const { jobId, eventId } = jobs[orgA.id]!;
    await expect(as(user, (db) => db`insert into public.ota_job_events (org_id, ota_job_id, kind) values (${orgA.id}, ${jobId}, 'created')`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(user, (db) => db`update public.ota_job_events set kind = 'created' where id = ${eventId}`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(user, (db) => db`delete from public.ota_job_events where id = ${eventId}`)).rejects.toMatchObject({ code: '42501' });
  });

  it('members cannot write the new ota_jobs columns either (the service role does)', async () => {
    await expect(
      as(orgA.members.owner, (db) => db`update public.ota_jobs set document = '{}', created_by = ${orgA.members.owner.id} where id = ${jobs[orgA.id]!.jobId}`),
    ).rejects.toMatchObject({ code: '42501' });
  });
});

describe('ota_jobs triggers', () => {
  it('record an observed status change on the timeline, with the abort comment', async () => {
    const { jobId } = jobs[orgA.id]!;
    await adminSql()`
      update public.ota_jobs set status = 'CANCELED', comment = 'Job aborted: ALL executions reached 20%', last_updated_at_aws = now() where id = ${jobId}`;
    const events = await as(orgA.members.viewer, (db) => db<{ kind: string; from_status: string; to_status: string; details: Record<string, unknown> }[]>`
      select kind, from_status, to_status, details from public.ota_job_events where ota_job_id = ${jobId} and kind = 'status_changed'`);
    expect(events).toEqual([{ kind: 'status_changed', from_status: 'IN_PROGRESS', to_status: 'CANCELED', details: { comment: 'Job aborted: ALL executions reached 20%' } }]);
  });

  it('keep a newer status when an older AWS answer arrives (no event for it)', async () => {
    const { jobId } = jobs[orgA.id]!;
    await adminSql()`update public.ota_jobs set status = 'IN_PROGRESS', last_updated_at_aws = now() - interval '10 minutes' where id = ${jobId}`;
    const [r] = await adminSql()<{ status: string }[]>`select status from public.ota_jobs where id = ${jobId}`;
    expect(r!.status).toBe('CANCELED');
    const [{ n } = { n: -1 }] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.ota_job_events where ota_job_id = ${jobId} and kind = 'status_changed'`;
    expect(n).toBe(1);
  });

  it('keep a job written after a running sync started, and delete it once no sync predates it', async () => {
    const { integrationId } = jobs[orgB.id]!;
    const [run] = await adminSql()<{ id: string }[]>`
      insert into public.sync_runs (org_id, integration_id, trigger, started_at) values (${orgB.id}, ${integrationId}, 'schedule', now() - interval '5 seconds') returning id`;
    const [fresh] = await adminSql()<{ id: string }[]>`
      insert into public.ota_jobs (org_id, integration_id, job_id, status) values (${orgB.id}, ${integrationId}, 'job-new', 'IN_PROGRESS') returning id`;
    // What the sync's final statement does with a listing taken before job-new existed.
    await adminSql()`delete from public.ota_jobs where org_id = ${orgB.id} and integration_id = ${integrationId} and job_id <> all(${['job-1']}::text[])`;
    expect(await adminSql()`select 1 from public.ota_jobs where id = ${fresh!.id}`).toHaveLength(1);
    await adminSql()`update public.sync_runs set status = 'succeeded', finished_at = now() where id = ${run!.id}`;
    await adminSql()`delete from public.ota_jobs where org_id = ${orgB.id} and integration_id = ${integrationId} and job_id <> all(${['job-1']}::text[])`;
    expect(await adminSql()`select 1 from public.ota_jobs where id = ${fresh!.id}`).toHaveLength(0);
  });

  it('do not stand in the way of deleting an integration while its sync runs', async () => {
    const org = await createTestOrg('rls-ota-del');
    const integration = await createTestIntegration(org);
    await adminSql()`insert into public.sync_runs (org_id, integration_id, trigger, started_at) values (${org.id}, ${integration.id}, 'schedule', now() - interval '5 seconds')`;
    await adminSql()`insert into public.ota_jobs (org_id, integration_id, job_id, status) values (${org.id}, ${integration.id}, 'job-x', 'IN_PROGRESS')`;
    await adminSql()`delete from public.integrations where id = ${integration.id}`;
    expect(await adminSql()`select 1 from public.ota_jobs where integration_id = ${integration.id}`).toHaveLength(0);
  });
});
