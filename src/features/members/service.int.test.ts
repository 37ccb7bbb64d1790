import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { closeDatabase } from '@/lib/db';
import { adminSql, as, closeAdminSql, createTestOrg, createTestUser, orgContext, type TestOrg } from '../../../scripts/test/fixtures';
import { acceptInvitation, changeMemberRole, inviteMember, removeMember, revokeInvitation } from './service';
import { hashInviteToken } from './tokens';

let org: TestOrg;

beforeAll(async () => {
  org = await createTestOrg('svc-members');
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

const invitationCount = async () =>
  Number((await adminSql()`select count(*)::int as n from public.invitations where org_id = ${org.id}`)[0]!.n);

describe('members service', () => {
  it('invites, stores only the token hash, audits without the token, and lets the invitee join', async () => {
    const invitee = await createTestUser('svc-invitee');
    const created = await as(org.members.admin, (db) => inviteMember(orgContext(db, org, 'admin'), { email: invitee.email, role: 'viewer' }));
    const [row] = await adminSql()`select token_hash from public.invitations where id = ${created.invitationId}`;
    expect(row!.token_hash).toBe(hashInviteToken(created.token));
    const audit = await adminSql()`select details::text as d from public.audit_log where target_id = ${created.invitationId}`;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.d).not.toContain(created.token);

    const joined = await as(invitee, (db) => acceptInvitation({ db, user: invitee, log: orgContext(db, org, 'viewer').log }, { token: created.token }));
    expect(joined.slug).toBe(org.slug);
  });

  it('refuses to invite an existing member, and an admin inviting an owner, changing nothing', async () => {
    const before = await invitationCount();
    await expect(
      as(org.members.admin, (db) => inviteMember(orgContext(db, org, 'admin'), { email: org.members.viewer.email, role: 'viewer' })),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      as(org.members.admin, (db) => inviteMember(orgContext(db, org, 'admin'), { email: 'boss@example.test', role: 'owner' })),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await invitationCount()).toBe(before);
  });

  it('replaces a pending invitation to the same address and revokes it', async () => {
    const first = await as(org.members.owner, (db) => inviteMember(orgContext(db, org, 'owner'), { email: 'twice@example.test', role: 'viewer' }));
    const second = await as(org.members.owner, (db) => inviteMember(orgContext(db, org, 'owner'), { email: 'twice@example.test', role: 'operator' }));
    const rows = await adminSql()`select id, role from public.invitations where org_id = ${org.id} and email = 'twice@example.test'`;
    expect(rows).toEqual([{ id: second.invitationId, role: 'operator' }]);
    expect(first.token).not.toBe(second.token);
    await as(org.members.admin, (db) => revokeInvitation(orgContext(db, org, 'admin'), { invitationId: second.invitationId }));
    await expect(
      as(org.members.admin, (db) => revokeInvitation(orgContext(db, org, 'admin'), { invitationId: second.invitationId })),
    ).rejects.toBeInstanceOf(AppError);
  });

  it('explains refused role changes and removals', async () => {
    await expect(
      as(org.members.admin, (db) => changeMemberRole(orgContext(db, org, 'admin'), { userId: org.members.owner.id, role: 'viewer' })),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      as(org.members.admin, (db) => removeMember(orgContext(db, org, 'admin'), { userId: org.members.owner.id })),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await as(org.members.admin, (db) => changeMemberRole(orgContext(db, org, 'admin'), { userId: org.members.operator.id, role: 'admin' }));
    const [row] = await adminSql()`select role from public.memberships where org_id = ${org.id} and user_id = ${org.members.operator.id}`;
    expect(row!.role).toBe('admin');
  });
});
