import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { closeDatabase } from '@/lib/db';
import { ORG_ROLES } from '@/lib/roles';
import { adminSql, as, asAnon, closeAdminSql, createTestIntegration, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';

/**
 * Row Level Security of the fleet cache, per persona: owner, admin, operator and viewer of org A,
 * a member of org B, and an anonymous caller. Members read their organization's rows and nothing
 * else; nobody but the service role writes (commands too: the server records them).
 */
const TABLES = [
  'thing_types',
  'thing_groups',
  'devices',
  'device_shadow_history',
  'device_commands',
  'sync_runs',
  'ota_jobs',
  'ota_job_executions',
] as const;
type Table = (typeof TABLES)[number];

let orgA: TestOrg;
let orgB: TestOrg;
let stranger: SessionUser;
const seeded: Record<string, { deviceId: string; rows: Record<Table, string> }> = {};

/** One row in every table for an organization, inserted as the worker would (service role). */
async function seed(org: TestOrg) {
  const integration = await createTestIntegration(org);
  const sql = adminSql();
  const one = async (query: Promise<{ id: string | number }[]>) => String((await query)[0]!.id);
  const [device] = await sql<{ id: string }[]>`
    insert into public.devices (org_id, integration_id, thing_name, sync_hash, status) values (${org.id}, ${integration.id}, 'sensor-000001', 'h', 'online') returning id`;
  const deviceId = device!.id;
  const otaJob = await one(sql`insert into public.ota_jobs (org_id, integration_id, job_id, status) values (${org.id}, ${integration.id}, 'job-1', 'IN_PROGRESS') returning id`);
  seeded[org.id] = {
    deviceId,
    rows: {
      devices: deviceId,
      thing_types: await one(sql`insert into public.thing_types (org_id, integration_id, name) values (${org.id}, ${integration.id}, 'env-sensor') returning id`),
      thing_groups: await one(sql`insert into public.thing_groups (org_id, integration_id, name) values (${org.id}, ${integration.id}, 'site-berlin') returning id`),
      device_shadow_history: await one(sql`
        insert into public.device_shadow_history (org_id, device_id, shadow_version, reported) values (${org.id}, ${deviceId}, 1, '{"battery": 80}') returning id`),
      device_commands: await one(sql`
        insert into public.device_commands (org_id, device_id, desired) values (${org.id}, ${deviceId}, '{"ledColor": "blue"}') returning id`),
      sync_runs: await one(sql`
        insert into public.sync_runs (org_id, integration_id, trigger, status, finished_at) values (${org.id}, ${integration.id}, 'schedule', 'succeeded', now()) returning id`),
      ota_jobs: otaJob,
      ota_job_executions: await one(sql`
        insert into public.ota_job_executions (org_id, ota_job_id, thing_name, status) values (${org.id}, ${otaJob}, 'sensor-000001', 'QUEUED') returning id`),
    },
  };
}

beforeAll(async () => {
  orgA = await createTestOrg('rls-fleet-a');
  orgB = await createTestOrg('rls-fleet-b');
  stranger = orgB.members.operator;
  await seed(orgA);
  await seed(orgB);
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('reading', () => {
  for (const table of TABLES) {
    it.each(ORG_ROLES)(`a %s of A reads the ${table} of A and none of B`, async (role) => {
      const rows = await as(orgA.members[role], (db) => db<{ id: string; org_id: string }[]>`select id::text, org_id from ${db('public.' + table)}`);
      expect(rows).toEqual([{ id: seeded[orgA.id]!.rows[table], org_id: orgA.id }]);
    });

    it(`a member of B reads only the ${table} of B, even when asking for A's row by id`, async () => {
      const rows = await as(stranger, (db) => db<{ org_id: string }[]>`select org_id from ${db('public.' + table)}`);
      expect(rows).toEqual([{ org_id: orgB.id }]);
      const byId = await as(stranger, (db) => db`select 1 from ${db('public.' + table)} where id::text = ${seeded[orgA.id]!.rows[table]}`);
      expect(byId).toEqual([]);
    });

    it(`an anonymous caller cannot read ${table}`, async () => {
      await expect(asAnon((db) => db`select 1 from ${db('public.' + table)}`)).rejects.toMatchObject({ code: '42501' });
    });
  }
});

describe('writing', () => {
  for (const table of TABLES) {
    it(`no member of A, not even its owner, updates or deletes ${table}; the rows stay`, async () => {
      for (const role of ORG_ROLES) {
        const user = orgA.members[role];
        await expect(as(user, (db) => db`update ${db('public.' + table)} set org_id = org_id`)).rejects.toMatchObject({ code: '42501' });
        await expect(as(user, (db) => db`delete from ${db('public.' + table)}`)).rejects.toMatchObject({ code: '42501' });
      }
      await expect(asAnon((db) => db`delete from ${db('public.' + table)}`)).rejects.toMatchObject({ code: '42501' });
      const [count] = await adminSql()<{ n: number }[]>`
        select count(*)::int as n from ${adminSql()('public.' + table)} where org_id in (${orgA.id}, ${orgB.id})`;
      expect(count!.n).toBe(2);
    });
  }

  it('only the service role inserts into the synced tables', async () => {
    await expect(
      as(orgA.members.owner, (db) => db`insert into public.sync_runs (org_id, integration_id, trigger) select org_id, integration_id, 'manual' from public.sync_runs limit 1`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(orgA.members.owner, (db) => db`insert into public.devices (org_id, integration_id, thing_name, sync_hash) select org_id, integration_id, 'forged', 'x' from public.devices limit 1`),
    ).rejects.toMatchObject({ code: '42501' });
  });
});

describe('device commands', () => {
  const insert = (user: SessionUser, orgId: string, deviceId: string) =>
    as(user, (db) => db<{ requested_by: string; status: string }[]>`
      insert into public.device_commands (org_id, device_id, desired) values (${orgId}, ${deviceId}, '{"ledColor": "green"}')
      returning requested_by, status`);

  // The server records a command after AWS accepted the write (lib/service-role); no member can forge one.
  it.each(ORG_ROLES)('a %s of A cannot insert a command row directly', async (role) => {
    await expect(insert(orgA.members[role], orgA.id, seeded[orgA.id]!.deviceId)).rejects.toMatchObject({ code: '42501' });
  });

  it('a member of B and an anonymous caller cannot either', async () => {
    await expect(insert(stranger, orgA.id, seeded[orgA.id]!.deviceId)).rejects.toMatchObject({ code: '42501' });
    await expect(
      asAnon((db) => db`insert into public.device_commands (org_id, device_id, desired) values (${orgA.id}, ${seeded[orgA.id]!.deviceId}, '{}')`),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it("even the service role cannot aim a command of B at A's device", async () => {
    await expect(
      adminSql()`insert into public.device_commands (org_id, device_id, desired) values (${orgB.id}, ${seeded[orgA.id]!.deviceId}, '{}')`,
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('nobody sets the status, the requester or the outcome of a command', async () => {
    const user = orgA.members.owner;
    const deviceId = seeded[orgA.id]!.deviceId;
    await expect(
      as(user, (db) => db`insert into public.device_commands (org_id, device_id, desired, status) values (${orgA.id}, ${deviceId}, '{}', 'converged')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(user, (db) => db`insert into public.device_commands (org_id, device_id, desired, requested_by) values (${orgA.id}, ${deviceId}, '{}', ${orgA.members.viewer.id})`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(user, (db) => db`update public.device_commands set status = 'converged', resolved_at = now() where org_id = ${orgA.id}`),
    ).rejects.toMatchObject({ code: '42501' });
  });
});

describe('tenant consistency', () => {
  it("rows cannot pair one organization's id with another organization's integration or device", async () => {
    const integrationOfB = (await adminSql()`select id from public.integrations where org_id = ${orgB.id} limit 1`)[0]!.id as string;
    await expect(
      adminSql()`insert into public.devices (org_id, integration_id, thing_name, sync_hash) values (${orgA.id}, ${integrationOfB}, 'crossed', 'h')`,
    ).rejects.toMatchObject({ code: '23503' });
    await expect(
      adminSql()`insert into public.device_shadow_history (org_id, device_id, shadow_version, reported) values (${orgA.id}, ${seeded[orgB.id]!.deviceId}, 9, '{}')`,
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('one running sync per integration is enforced by the database', async () => {
    const integration = await createTestIntegration(orgA);
    await adminSql()`insert into public.sync_runs (org_id, integration_id, trigger) values (${orgA.id}, ${integration.id}, 'manual')`;
    await expect(
      adminSql()`insert into public.sync_runs (org_id, integration_id, trigger) values (${orgA.id}, ${integration.id}, 'schedule')`,
    ).rejects.toMatchObject({ code: '23505', constraint_name: 'sync_runs_one_running_key' });
  });
});
