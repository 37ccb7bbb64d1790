import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { closeDatabase } from '@/lib/db';
import { ORG_ROLES } from '@/lib/roles';
import { adminSql, as, asAnon, closeAdminSql, createTestIntegration, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';

/**
 * Row Level Security of bulk operations and their items, per persona: owner, admin, operator and
 * viewer of org A, a member of org B and an anonymous caller. Members read their organization's
 * rows; only the cancellation flag is theirs to set (once, while the operation runs); queueing,
 * items and results are the server's (service role).
 */
const TABLES = ['bulk_operations', 'bulk_operation_items'] as const;

let orgA: TestOrg;
let orgB: TestOrg;
let stranger: SessionUser;
const seeded: Record<string, { deviceId: string; integrationId: string; operationId: string; itemId: string }> = {};

async function seed(org: TestOrg) {
  const integration = await createTestIntegration(org);
  const sql = adminSql();
  const [device] = await sql<{ id: string }[]>`
    insert into public.devices (org_id, integration_id, thing_name, sync_hash) values (${org.id}, ${integration.id}, 'sensor-000001', 'h') returning id`;
  const [op] = await sql<{ id: string }[]>`
    insert into public.bulk_operations (org_id, requested_by, kind, key, value, total)
    values (${org.id}, ${org.members.operator.id}, 'set_attribute', 'room', '"a"', 1) returning id`;
  const [item] = await sql<{ id: string }[]>`
    insert into public.bulk_operation_items (org_id, operation_id, device_id, integration_id, thing_name)
    values (${org.id}, ${op!.id}, ${device!.id}, ${integration.id}, 'sensor-000001') returning id::text`;
  seeded[org.id] = { deviceId: device!.id, integrationId: integration.id, operationId: op!.id, itemId: item!.id };
}

const rowId = (orgId: string, table: (typeof TABLES)[number]) => (table === 'bulk_operations' ? seeded[orgId]!.operationId : seeded[orgId]!.itemId);

beforeAll(async () => {
  orgA = await createTestOrg('rls-bulk-a');
  orgB = await createTestOrg('rls-bulk-b');
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
      expect(rows).toEqual([{ id: rowId(orgA.id, table), org_id: orgA.id }]);
    });

    it(`a member of B reads only the ${table} of B, even when asking for A's row by id`, async () => {
      expect(await as(stranger, (db) => db`select org_id from ${db('public.' + table)}`)).toEqual([{ org_id: orgB.id }]);
      expect(await as(stranger, (db) => db`select 1 from ${db('public.' + table)} where id::text = ${rowId(orgA.id, table)}`)).toEqual([]);
    });

    it(`an anonymous caller cannot read ${table}`, async () => {
      await expect(asAnon((db) => db`select 1 from ${db('public.' + table)}`)).rejects.toMatchObject({ code: '42501' });
    });
  }
});

describe('queueing', () => {
  const queueOp = (user: SessionUser, orgId: string) =>
    as(user, (db) => db<{ id: string; requested_by: string; status: string }[]>`
      insert into public.bulk_operations (org_id, kind, key, value, total) values (${orgId}, 'set_attribute', 'room', '"b"', 1)
      returning id, requested_by, status`);
  const addItem = (user: SessionUser, orgId: string, operationId: string, deviceId: string, integrationId: string) =>
    as(user, (db) => db`
      insert into public.bulk_operation_items (org_id, operation_id, device_id, integration_id, thing_name)
      values (${orgId}, ${operationId}, ${deviceId}, ${integrationId}, 'sensor-000001')`);

  // The server queues an operation and snapshots its items (lib/service-role): the worker executes
  // whatever they say, so no member writes them directly.
  it.each(ORG_ROLES)('a %s of A can neither queue an operation nor add items directly', async (role) => {
    const user = orgA.members[role];
    const a = seeded[orgA.id]!;
    await expect(queueOp(user, orgA.id)).rejects.toMatchObject({ code: '42501' });
    await expect(addItem(user, orgA.id, a.operationId, a.deviceId, a.integrationId)).rejects.toMatchObject({ code: '42501' });
  });

  it('a member of B and an anonymous caller cannot queue in A', async () => {
    await expect(queueOp(stranger, orgA.id)).rejects.toMatchObject({ code: '42501' });
    await expect(asAnon((db) => db`insert into public.bulk_operations (org_id, kind, key, value, total) values (${orgA.id}, 'set_attribute', 'k', '"v"', 1)`)).rejects.toMatchObject({
      code: '42501',
    });
  });

  it('nobody sets the requester, the status or the results of an operation', async () => {
    const owner = orgA.members.owner;
    await expect(
      as(owner, (db) => db`insert into public.bulk_operations (org_id, kind, key, value, total, requested_by) values (${orgA.id}, 'set_attribute', 'k', '"v"', 1, ${orgA.members.viewer.id})`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(owner, (db) => db`insert into public.bulk_operations (org_id, kind, key, value, total, status) values (${orgA.id}, 'set_attribute', 'k', '"v"', 1, 'completed')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(as(owner, (db) => db`update public.bulk_operations set succeeded_count = 99 where org_id = ${orgA.id}`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(owner, (db) => db`update public.bulk_operation_items set status = 'succeeded' where org_id = ${orgA.id}`)).rejects.toMatchObject({ code: '42501' });
    for (const table of TABLES) {
      await expect(as(owner, (db) => db`delete from ${db('public.' + table)}`)).rejects.toMatchObject({ code: '42501' });
    }
  });

  it("even the service role cannot point B's items at A's device", async () => {
    const a = seeded[orgA.id]!;
    const b = seeded[orgB.id]!;
    await expect(
      adminSql()`insert into public.bulk_operation_items (org_id, operation_id, device_id, integration_id, thing_name)
                 values (${orgB.id}, ${b.operationId}, ${a.deviceId}, ${a.integrationId}, 'sensor-000001')`,
    ).rejects.toMatchObject({ code: '23503' });
  });
});

describe('cancelling', () => {
  it('an operator of A asks for a cancellation; a viewer of A and a member of B change nothing', async () => {
    const id = seeded[orgA.id]!.operationId;
    const cancel = (user: SessionUser) => as(user, (db) => db`update public.bulk_operations set cancel_requested_at = now() where id = ${id} returning id`);
    expect(await cancel(orgA.members.viewer)).toHaveLength(0);
    expect(await cancel(stranger)).toHaveLength(0);
    expect((await adminSql()`select cancel_requested_at from public.bulk_operations where id = ${id}`)[0]!.cancel_requested_at).toBeNull();
    expect(await cancel(orgA.members.operator)).toHaveLength(1);
  });

  it('a cancellation is never withdrawn, and a finished operation is not cancelled', async () => {
    const id = seeded[orgA.id]!.operationId;
    const operator = orgA.members.operator;
    expect(await as(operator, (db) => db`update public.bulk_operations set cancel_requested_at = null where id = ${id} returning id`)).toHaveLength(0);
    const [done] = await adminSql()<{ id: string }[]>`
      insert into public.bulk_operations (org_id, requested_by, kind, key, value, total, status, finished_at)
      values (${orgA.id}, ${operator.id}, 'set_attribute', 'room', '"b"', 1, 'completed', now()) returning id`;
    expect(await as(operator, (db) => db`update public.bulk_operations set cancel_requested_at = now() where id = ${done!.id} returning id`)).toHaveLength(0);
    await expect(as(operator, (db) => db`update public.bulk_operations set status = 'cancelled' where id = ${id}`)).rejects.toMatchObject({ code: '42501' });
  });
});
