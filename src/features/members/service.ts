import type { OrgContext, UserContext } from '@/lib/context';
import { AppError } from '@/lib/errors';
import { hasRole } from '@/lib/roles';
import {
  INVITATION_TTL_DAYS,
  type AcceptInvitationInput,
  type ChangeMemberRoleInput,
  type InviteMemberInput,
  type RemoveMemberInput,
  type RevokeInvitationInput,
} from './schemas';
import { recordAudit } from '@/lib/audit';
import { hashInviteToken, newInviteToken } from './tokens';

/**
 * Creates an invitation and returns its one-time token (shown to the inviter to copy; only the
 * hash is stored). A pending invitation to the same address is replaced.
 */
export async function inviteMember(ctx: OrgContext, input: InviteMemberInput) {
  if (input.role === 'owner' && !hasRole(ctx.role, 'owner')) {
    throw new AppError('FORBIDDEN', 'Only owners can invite owners.', { role: ['Only owners can invite owners.'] });
  }
  const existing = await ctx.db`
    select 1 from public.list_org_members(${ctx.org.id}) where lower(email) = ${input.email}`;
  if (existing.length > 0) {
    throw new AppError('CONFLICT', `${input.email} is already a member.`, { email: ['Already a member of this organization.'] });
  }
  await ctx.db`
    delete from public.invitations
    where org_id = ${ctx.org.id} and email = ${input.email} and accepted_at is null`;
  const { token, hash } = newInviteToken();
  const [row] = await ctx.db<{ id: string; expiresAt: Date }[]>`
    insert into public.invitations (org_id, email, role, token_hash, invited_by, expires_at)
    values (${ctx.org.id}, ${input.email}, ${input.role}, ${hash}, ${ctx.user.id}, now() + make_interval(days => ${INVITATION_TTL_DAYS}))
    returning id, expires_at as "expiresAt"`;
  if (!row) throw new Error('invitation insert returned no row');
  await recordAudit(ctx, 'invitation.created', { type: 'invitation', id: row.id }, { email: input.email, role: input.role });
  ctx.log.info({ invitationId: row.id }, 'invitation created');
  return { invitationId: row.id, token, expiresAt: row.expiresAt };
}

export async function revokeInvitation(ctx: OrgContext, input: RevokeInvitationInput): Promise<void> {
  const rows = await ctx.db<{ email: string }[]>`
    delete from public.invitations
    where id = ${input.invitationId} and org_id = ${ctx.org.id} and accepted_at is null
    returning email`;
  if (rows.length === 0) throw new AppError('NOT_FOUND', 'That invitation no longer exists.');
  await recordAudit(ctx, 'invitation.revoked', { type: 'invitation', id: input.invitationId }, { email: rows[0]!.email });
}

export async function changeMemberRole(ctx: OrgContext, input: ChangeMemberRoleInput): Promise<void> {
  if (input.role === 'owner' && !hasRole(ctx.role, 'owner')) {
    throw new AppError('FORBIDDEN', 'Only owners can make someone an owner.');
  }
  const rows = await ctx.db`
    update public.memberships set role = ${input.role}
    where org_id = ${ctx.org.id} and user_id = ${input.userId}
    returning user_id`;
  // RLS hides rows the caller may not change (e.g. an admin touching an owner).
  if (rows.length === 0) throw new AppError('FORBIDDEN', 'You cannot change this member’s role.');
}

export async function removeMember(ctx: OrgContext, input: RemoveMemberInput): Promise<void> {
  const rows = await ctx.db`
    delete from public.memberships
    where org_id = ${ctx.org.id} and user_id = ${input.userId}
    returning user_id`;
  if (rows.length === 0) throw new AppError('FORBIDDEN', 'You cannot remove this member.');
}

/** Accepts an invitation for the signed-in user; returns the organization's slug. */
export async function acceptInvitation(ctx: UserContext, input: AcceptInvitationInput): Promise<{ slug: string }> {
  const [row] = await ctx.db<{ slug: string }[]>`select public.accept_invitation(${hashInviteToken(input.token)}) as slug`;
  if (!row) throw new Error('accept_invitation returned no row');
  return { slug: row.slug };
}
