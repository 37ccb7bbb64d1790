import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, type Tx } from './db';
import { asServiceWithin } from './service-role';
import { adminSql, as, closeAdminSql, createTestOrg, type TestOrg } from '../../scripts/test/fixtures';

/** Server-only writes inside a member's transaction: as service_role, then back to the member. */
let org: TestOrg;

beforeAll(async () => {
  org = await createTestOrg('service-role');
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

const appendAudit = (db: Tx, action: string) =>
  db`insert into public.audit_log (org_id, actor_id, action, target_type) values (${org.id}, (select auth.uid()), ${action}, 'test')`;
const auditRows = (action: string) => adminSql()<{ actor_id: string }[]>`select actor_id from public.audit_log where org_id = ${org.id} and action = ${action}`;
const currentUser = async (db: Tx) => (await db<{ u: string }[]>`select current_user as u`)[0]!.u;

describe('asServiceWithin', () => {
  it('writes what the member may not, keeps their JWT claims, and returns to the member', async () => {
    const { viewer } = org.members;
    const roles = await as(viewer, async (db) => {
      const inside = await asServiceWithin(db, async () => {
        await appendAudit(db, 'test.service_write');
        return currentUser(db);
      });
      const after = await currentUser(db);
      await expect(db.savepoint((sp) => appendAudit(sp, 'test.direct_write'))).rejects.toMatchObject({ code: '42501' });
      return { inside, after };
    });
    expect(roles).toEqual({ inside: 'service_role', after: 'authenticated' });
    expect(await auditRows('test.service_write')).toEqual([{ actor_id: viewer.id }]);
    expect(await auditRows('test.direct_write')).toEqual([]);
  });

  it('rolls back with the member’s transaction', async () => {
    await expect(
      as(org.members.operator, async (db) => {
        await asServiceWithin(db, () => appendAudit(db, 'test.rolled_back'));
        throw new Error('the action failed after its audit row');
      }),
    ).rejects.toThrow('the action failed');
    expect(await auditRows('test.rolled_back')).toEqual([]);
  });

  it('returns to the member when the callback throws, and the original error wins', async () => {
    const after = await as(org.members.operator, async (db) => {
      await expect(asServiceWithin(db, () => Promise.reject(new Error('validation failed')))).rejects.toThrow('validation failed');
      return currentUser(db);
    });
    expect(after).toBe('authenticated');
    await expect(
      as(org.members.operator, (db) => asServiceWithin(db, () => db`insert into public.audit_log (org_id, action, target_type) values (${org.id}, null, 'x')`)),
    ).rejects.toMatchObject({ code: '23502' });
  });
});
