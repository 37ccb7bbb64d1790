import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import type { SessionUser } from '@/lib/context';
import { ORG_ROLES } from '@/lib/roles';
import { hashInviteToken, newInviteToken } from '@/features/members/tokens';
import {
  adminSql,
  as,
  asAnon,
  closeAdminSql,
  createTestOrg,
  createTestUser,
  type TestOrg,
} from '../../../scripts/test/fixtures';

/**
 * Row Level Security of the tenancy tables, per persona: owner, admin, operator and viewer of
 * org A, the owner of org B, and an anonymous caller. Nothing of the other org may be read or
 * changed, and role limits hold.
 */
let orgA: TestOrg;
let orgB: TestOrg;
let stranger: SessionUser;

beforeAll(async () => {
  orgA = await createTestOrg('rls-a');
  orgB = await createTestOrg('rls-b');
  stranger = orgB.members.owner;
  // One pending invitation in each org so invitation visibility can be checked.
  for (const org of [orgA, orgB]) {
    await adminSql()`
      insert into public.invitations (org_id, email, role, token_hash, invited_by, expires_at)
      values (${org.id}, ${`pending-${org.slug}@example.test`}, 'viewer', ${newInviteToken().hash}, ${org.members.owner.id}, now() + interval '1 day')`;
  }
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

const countIn = (rows: Array<{ org_id?: string; id?: string }>, orgId: string) =>
  rows.filter((r) => (r.org_id ?? r.id) === orgId).length;

describe('organizations', () => {
  it.each(ORG_ROLES)('a %s of A sees org A and not org B', async (role) => {
    const rows = await as(orgA.members[role], (db) => db<{ id: string }[]>`select id from public.organizations`);
    expect(countIn(rows, orgA.id)).toBe(1);
    expect(countIn(rows, orgB.id)).toBe(0);
  });

  it('a member of B sees nothing of A, and an anonymous caller sees nothing at all', async () => {
    const rowsB = await as(stranger, (db) => db<{ id: string }[]>`select id from public.organizations where id = ${orgA.id}`);
    expect(rowsB).toHaveLength(0);
    await expect(asAnon((db) => db`select id from public.organizations`)).rejects.toMatchObject({ code: '42501' });
  });

  it('only admins and owners rename; a member of B cannot rename A', async () => {
    for (const [user, expected] of [
      [orgA.members.viewer, 0],
      [orgA.members.operator, 0],
      [stranger, 0],
      [orgA.members.admin, 1],
    ] as const) {
      const rows = await as(user, (db) => db`update public.organizations set name = 'renamed' where id = ${orgA.id} returning id`);
      expect(rows).toHaveLength(expected);
    }
    const [org] = await adminSql()`select name from public.organizations where id = ${orgA.id}`;
    expect(org!.name).toBe('renamed');
  });

  it('nobody deletes an organization through SQL, not even its owner (the app offers no deletion)', async () => {
    const kept = await createTestOrg('rls-kept');
    for (const user of [kept.members.owner, kept.members.admin, stranger]) {
      await expect(as(user, (db) => db`delete from public.organizations where id = ${kept.id}`)).rejects.toMatchObject({ code: '42501' });
    }
    expect(await adminSql()`select 1 from public.memberships where org_id = ${kept.id}`).toHaveLength(4);
  });

  it('create_organization is refused to anonymous callers and rejects a taken slug', async () => {
    await expect(asAnon((db) => db`select public.create_organization('anon-org', 'Anon')`)).rejects.toMatchObject({ code: '42501' });
    const user = await createTestUser('rls-creator');
    await expect(
      as(user, (db) => db`select public.create_organization(${orgA.slug}, 'Copycat')`),
    ).rejects.toMatchObject({ code: '23505' });
    const mine = await as(user, (db) => db`select 1 from public.memberships where user_id = ${user.id}`);
    expect(mine).toHaveLength(0);
  });
});

describe('memberships', () => {
  it('members of A see the members of A only', async () => {
    for (const role of ORG_ROLES) {
      const rows = await as(orgA.members[role], (db) => db<{ org_id: string }[]>`select org_id from public.memberships`);
      expect(countIn(rows, orgA.id)).toBe(4);
      expect(countIn(rows, orgB.id)).toBe(0);
    }
    await expect(asAnon((db) => db`select 1 from public.memberships`)).rejects.toMatchObject({ code: '42501' });
  });

  it('an operator and a viewer cannot change roles; an admin can (below owner)', async () => {
    const target = orgA.members.viewer.id;
    for (const user of [orgA.members.operator, orgA.members.viewer, stranger]) {
      const rows = await as(user, (db) => db`update public.memberships set role = 'admin' where org_id = ${orgA.id} and user_id = ${target} returning 1`);
      expect(rows).toHaveLength(0);
    }
    const byAdmin = await as(orgA.members.admin, (db) => db`update public.memberships set role = 'operator' where org_id = ${orgA.id} and user_id = ${target} returning 1`);
    expect(byAdmin).toHaveLength(1);
    await adminSql()`update public.memberships set role = 'viewer' where org_id = ${orgA.id} and user_id = ${target}`;
  });

  it('an admin can neither grant ownership nor touch an owner', async () => {
    await expect(
      as(orgA.members.admin, (db) => db`update public.memberships set role = 'owner' where org_id = ${orgA.id} and user_id = ${orgA.members.operator.id}`),
    ).rejects.toMatchObject({ code: '42501' });
    const demote = await as(orgA.members.admin, (db) => db`update public.memberships set role = 'viewer' where org_id = ${orgA.id} and user_id = ${orgA.members.owner.id} returning 1`);
    expect(demote).toHaveLength(0);
    const remove = await as(orgA.members.admin, (db) => db`delete from public.memberships where org_id = ${orgA.id} and user_id = ${orgA.members.owner.id} returning 1`);
    expect(remove).toHaveLength(0);
  });

  it('the last owner can be neither demoted nor removed', async () => {
    const { owner } = orgA.members;
    await expect(
      as(owner, (db) => db`update public.memberships set role = 'admin' where org_id = ${orgA.id} and user_id = ${owner.id}`),
    ).rejects.toMatchObject({ code: 'P0001', hint: 'PRECONDITION' });
    await expect(
      as(owner, (db) => db`delete from public.memberships where org_id = ${orgA.id} and user_id = ${owner.id}`),
    ).rejects.toMatchObject({ code: 'P0001', hint: 'PRECONDITION' });
    const [row] = await adminSql()`select role from public.memberships where org_id = ${orgA.id} and user_id = ${owner.id}`;
    expect(row!.role).toBe('owner');
  });

  it('a viewer cannot remove others but may leave; a member of B removes nobody in A', async () => {
    const org = await createTestOrg('rls-leave');
    const others = await as(org.members.viewer, (db) => db`delete from public.memberships where org_id = ${org.id} and user_id <> ${org.members.viewer.id} returning 1`);
    expect(others).toHaveLength(0);
    const byStranger = await as(stranger, (db) => db`delete from public.memberships where org_id = ${org.id} returning 1`);
    expect(byStranger).toHaveLength(0);
    const leave = await as(org.members.viewer, (db) => db`delete from public.memberships where org_id = ${org.id} and user_id = ${org.members.viewer.id} returning 1`);
    expect(leave).toHaveLength(1);
  });

  it('nobody inserts memberships directly: joining goes through an invitation', async () => {
    const newcomer = await createTestUser('rls-newcomer');
    await expect(
      as(orgA.members.owner, (db) => db`insert into public.memberships (org_id, user_id, role) values (${orgA.id}, ${newcomer.id}, 'viewer')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(newcomer, (db) => db`insert into public.memberships (org_id, user_id, role) values (${orgA.id}, ${newcomer.id}, 'owner')`),
    ).rejects.toMatchObject({ code: '42501' });
  });
});

describe('invitations', () => {
  it('admins and owners see invitations of their org; operators, viewers, B and anon do not', async () => {
    for (const [user, expected] of [
      [orgA.members.owner, true],
      [orgA.members.admin, true],
      [orgA.members.operator, false],
      [orgA.members.viewer, false],
      [stranger, false],
    ] as const) {
      const rows = await as(user, (db) => db<{ org_id: string }[]>`select org_id from public.invitations where org_id = ${orgA.id}`);
      expect(rows.length > 0).toBe(expected);
    }
    await expect(asAnon((db) => db`select 1 from public.invitations`)).rejects.toMatchObject({ code: '42501' });
  });

  it('a viewer or operator cannot invite; an admin cannot invite an owner; an owner can', async () => {
    const insert = (user: SessionUser, role: string) =>
      as(user, (db) => db`
        insert into public.invitations (org_id, email, role, token_hash, invited_by, expires_at)
        values (${orgA.id}, ${`x-${role}-${user.id.slice(0, 6)}@example.test`}, ${role}, ${newInviteToken().hash}, ${user.id}, now() + interval '1 day')`);
    await expect(insert(orgA.members.viewer, 'viewer')).rejects.toMatchObject({ code: '42501' });
    await expect(insert(orgA.members.operator, 'viewer')).rejects.toMatchObject({ code: '42501' });
    await expect(insert(stranger, 'viewer')).rejects.toMatchObject({ code: '42501' });
    await expect(insert(orgA.members.admin, 'owner')).rejects.toMatchObject({ code: '42501' });
    await expect(insert(orgA.members.admin, 'operator')).resolves.toBeDefined();
    await expect(insert(orgA.members.owner, 'owner')).resolves.toBeDefined();
  });

  it('an invitation is accepted once, by its addressee, before it expires', async () => {
    const org = await createTestOrg('rls-invite');
    const invitee = await createTestUser('rls-invitee');
    const other = await createTestUser('rls-other');
    const good = newInviteToken();
    const expired = newInviteToken();
    await adminSql()`
      insert into public.invitations (org_id, email, role, token_hash, invited_by, expires_at) values
        (${org.id}, ${invitee.email}, 'operator', ${good.hash}, ${org.members.owner.id}, now() + interval '1 day'),
        (${org.id}, ${invitee.email}, 'admin', ${expired.hash}, ${org.members.owner.id}, now() - interval '1 second')`;

    await expect(as(other, (db) => db`select public.accept_invitation(${good.hash})`)).rejects.toMatchObject({ hint: 'FORBIDDEN' });
    await expect(as(invitee, (db) => db`select public.accept_invitation(${expired.hash})`)).rejects.toMatchObject({ hint: 'PRECONDITION' });
    await expect(as(invitee, (db) => db`select public.accept_invitation(${hashInviteToken('nope')})`)).rejects.toMatchObject({ hint: 'NOT_FOUND' });
    await expect(asAnon((db) => db`select public.accept_invitation(${good.hash})`)).rejects.toMatchObject({ code: '42501' });

    const [accepted] = await as(invitee, (db) => db<{ slug: string }[]>`select public.accept_invitation(${good.hash}) as slug`);
    expect(accepted!.slug).toBe(org.slug);
    await expect(as(invitee, (db) => db`select public.accept_invitation(${good.hash})`)).rejects.toMatchObject({ hint: 'PRECONDITION' });

    const [membership] = await adminSql()`select role from public.memberships where org_id = ${org.id} and user_id = ${invitee.id}`;
    expect(membership!.role).toBe('operator');
    const [audit] = await adminSql()`
      select actor_id, details from public.audit_log where org_id = ${org.id} and action = 'member.added' and target_id = ${invitee.id}`;
    expect(audit).toMatchObject({ actor_id: invitee.id, details: { role: 'operator' } });
  });
});

describe('audit_log', () => {
  it('admins read the trail of their org; others, B and anon read none of it', async () => {
    for (const [user, visible] of [
      [orgA.members.owner, true],
      [orgA.members.admin, true],
      [orgA.members.operator, false],
      [orgA.members.viewer, false],
      [stranger, false],
    ] as const) {
      const rows = await as(user, (db) => db`select 1 from public.audit_log where org_id = ${orgA.id}`);
      expect(rows.length > 0).toBe(visible);
    }
    await expect(asAnon((db) => db`select 1 from public.audit_log`)).rejects.toMatchObject({ code: '42501' });
  });

  it('records membership changes with the actor', async () => {
    const org = await createTestOrg('rls-audit');
    await as(org.members.owner, (db) => db`update public.memberships set role = 'operator' where org_id = ${org.id} and user_id = ${org.members.viewer.id}`);
    const rows = await adminSql()`
      select actor_id, details from public.audit_log
      where org_id = ${org.id} and action = 'member.role_changed' and target_id = ${org.members.viewer.id}`;
    expect(rows).toEqual([{ actor_id: org.members.owner.id, details: { from: 'viewer', to: 'operator' } }]);
  });

  it('nobody appends to, rewrites or deletes the trail: only the server writes it', async () => {
    await expect(
      as(stranger, (db) => db`insert into public.audit_log (org_id, actor_id, action, target_type) values (${orgA.id}, ${stranger.id}, 'forged', 'x')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(orgA.members.viewer, (db) => db`insert into public.audit_log (org_id, actor_id, action, target_type) values (${orgA.id}, ${orgA.members.owner.id}, 'forged', 'x')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(orgA.members.owner, (db) => db`insert into public.audit_log (org_id, actor_id, action, target_type) values (${orgA.id}, ${orgA.members.owner.id}, 'forged', 'x')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(as(orgA.members.owner, (db) => db`update public.audit_log set action = 'edited' where org_id = ${orgA.id}`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(orgA.members.owner, (db) => db`delete from public.audit_log where org_id = ${orgA.id}`)).rejects.toMatchObject({ code: '42501' });
  });
});

describe('helper functions', () => {
  it('list_org_members returns nothing to non-members', async () => {
    const asStranger = await as(stranger, (db) => db`select * from public.list_org_members(${orgA.id})`);
    expect(asStranger).toHaveLength(0);
    const asViewer = await as(orgA.members.viewer, (db) => db`select * from public.list_org_members(${orgA.id})`);
    expect(asViewer).toHaveLength(4);
  });

  it('private.has_org_role is not callable by anonymous callers', async () => {
    await expect(asAnon((db) => db`select private.has_org_role(${orgA.id}, 'viewer')`)).rejects.toMatchObject({ code: '42501' });
  });
});
