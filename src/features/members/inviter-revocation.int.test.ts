import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import type { OrgRole } from '@/lib/roles';
import { adminSql, as, closeAdminSql, createTestOrg, createTestUser, orgContext, type TestOrg } from '../../../scripts/test/fixtures';
import { changeMemberRole, inviteMember, removeMember } from './service';
import type { SessionUser } from '@/lib/context';

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

async function invite(org: TestOrg, by: SessionUser, byRole: OrgRole, role: OrgRole = 'viewer') {
  const email = `invitee-${Math.random().toString(36).slice(2, 10)}@example.test`;
  const { invitationId } = await as(by, (db) => inviteMember({ ...orgContext(db, org, byRole), user: by }, { email, role }));
  return invitationId;
}

async function pendingIds(org: TestOrg): Promise<string[]> {
  const rows = await adminSql()<{ id: string }[]>`
    select id from public.invitations where org_id = ${org.id} and accepted_at is null order by id`;
  return rows.map((r) => r.id);
}

async function revokedAudit(org: TestOrg) {
  return adminSql()<{ targetId: string; actorId: string | null; reason: string }[]>`
    select target_id as "targetId", actor_id as "actorId", details ->> 'reason' as reason
    from public.audit_log where org_id = ${org.id} and action = 'invitation.revoked' order by target_id`;
}

const sorted = (ids: string[]) => [...ids].sort();

describe('pending invitations of a member who can no longer invite', () => {
  it('are revoked when an admin is demoted below admin, leaving other inviters’ invitations alone', async () => {
    const org = await createTestOrg('inv-demote');
    const byAdmin = [await invite(org, org.members.admin, 'admin'), await invite(org, org.members.admin, 'admin', 'admin')];
    const byOwner = await invite(org, org.members.owner, 'owner');

    await as(org.members.owner, (db) => changeMemberRole(orgContext(db, org, 'owner'), { userId: org.members.admin.id, role: 'operator' }));

    expect(await pendingIds(org)).toEqual([byOwner]);
    expect(await revokedAudit(org)).toEqual(
      sorted(byAdmin).map((id) => ({ targetId: id, actorId: org.members.owner.id, reason: 'inviter_demoted' })),
    );
  });

  it('are revoked when the member is removed; accepted invitations stay as history', async () => {
    const org = await createTestOrg('inv-remove');
    const pending = await invite(org, org.members.admin, 'admin');
    const accepted = await invite(org, org.members.admin, 'admin');
    await adminSql()`update public.invitations set accepted_at = now() where id = ${accepted}`;

    await as(org.members.owner, (db) => removeMember(orgContext(db, org, 'owner'), { userId: org.members.admin.id }));

    expect(await pendingIds(org)).toEqual([]);
    expect((await adminSql()`select 1 from public.invitations where id = ${accepted}`).length).toBe(1);
    expect(await revokedAudit(org)).toEqual([{ targetId: pending, actorId: org.members.owner.id, reason: 'inviter_removed' }]);
  });

  it('are revoked when the member leaves through direct SQL, bypassing the app', async () => {
    const org = await createTestOrg('inv-leave');
    await invite(org, org.members.admin, 'admin');
    const byOwner = await invite(org, org.members.owner, 'owner');

    await as(org.members.admin, (db) => db`delete from public.memberships where org_id = ${org.id} and user_id = ${org.members.admin.id}`);

    expect(await pendingIds(org)).toEqual([byOwner]);
  });

  it('are revoked when the member’s account is deleted', async () => {
    const org = await createTestOrg('inv-account');
    await invite(org, org.members.admin, 'admin');

    const accepted = await invite(org, org.members.admin, 'admin');
    await adminSql()`update public.invitations set accepted_at = now() where id = ${accepted}`;

    await adminSql()`delete from auth.users where id = ${org.members.admin.id}`;

    expect(await pendingIds(org)).toEqual([]);
    expect(await adminSql()`select invited_by from public.invitations where id = ${accepted}`).toEqual([{ invited_by: null }]);
  });

  it('lose only owner invitations when an owner becomes admin', async () => {
    const org = await createTestOrg('inv-owner');
    const secondOwner = await createTestUser('inv-owner-2');
    await adminSql()`insert into public.memberships (org_id, user_id, role) values (${org.id}, ${secondOwner.id}, 'owner')`;
    const ownerInvite = await invite(org, secondOwner, 'owner', 'owner');
    const viewerInvite = await invite(org, secondOwner, 'owner', 'viewer');

    await as(org.members.owner, (db) => changeMemberRole(orgContext(db, org, 'owner'), { userId: secondOwner.id, role: 'admin' }));

    expect(await pendingIds(org)).toEqual([viewerInvite]);
    expect((await revokedAudit(org)).map((r) => r.targetId)).toEqual([ownerInvite]);
  });

  it('stay on a promotion or a change that keeps the right to invite', async () => {
    const org = await createTestOrg('inv-keep');
    const byAdmin = await invite(org, org.members.admin, 'admin');

    await as(org.members.owner, (db) => changeMemberRole(orgContext(db, org, 'owner'), { userId: org.members.admin.id, role: 'owner' }));
    await as(org.members.owner, (db) => changeMemberRole(orgContext(db, org, 'owner'), { userId: org.members.viewer.id, role: 'operator' }));

    expect(await pendingIds(org)).toEqual([byAdmin]);
    expect(await revokedAudit(org)).toEqual([]);
  });

  it('do not get in the way of deleting the organization', async () => {
    const org = await createTestOrg('inv-org');
    await invite(org, org.members.admin, 'admin');

    // Organizations are deleted by the server only (grants); the cascade must not trip the triggers.
    await adminSql()`delete from public.organizations where id = ${org.id}`;

    expect(await adminSql()`select 1 from public.invitations where org_id = ${org.id}`).toHaveLength(0);
    expect(await adminSql()`select 1 from public.audit_log where org_id = ${org.id}`).toHaveLength(0);
  });
});
