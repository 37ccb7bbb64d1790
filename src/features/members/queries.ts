import type { Tx } from '@/lib/db';
import type { OrgRole } from '@/lib/roles';
import { hashInviteToken } from './tokens';

export interface MemberDto {
  userId: string;
  email: string;
  role: OrgRole;
  joinedAt: Date;
}

export interface InvitationDto {
  id: string;
  email: string;
  role: OrgRole;
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
  invitedBy: string | null;
}

export interface InvitationPreview {
  orgName: string;
  orgSlug: string;
  email: string;
  role: OrgRole;
  expiresAt: Date;
  expired: boolean;
  accepted: boolean;
}

export async function listMembers(db: Tx, orgId: string): Promise<MemberDto[]> {
  return db<MemberDto[]>`
    select user_id as "userId", email, role, joined_at as "joinedAt"
    from public.list_org_members(${orgId})`;
}

/** Pending invitations (RLS shows them to admins and owners only). */
export async function listPendingInvitations(db: Tx, orgId: string): Promise<InvitationDto[]> {
  return db<InvitationDto[]>`
    select i.id, i.email, i.role, i.created_at as "createdAt", i.expires_at as "expiresAt", i.expires_at < now() as expired, i.invited_by as "invitedBy"
    from public.invitations i
    where i.org_id = ${orgId} and i.accepted_at is null
    order by i.created_at desc`;
}

/** What an invite link shows before it is accepted; null when the token matches nothing. */
export async function getInvitationPreview(db: Tx, token: string): Promise<InvitationPreview | null> {
  const rows = await db<InvitationPreview[]>`
    select org_name as "orgName", org_slug as "orgSlug", email, role, expires_at as "expiresAt", expires_at < now() as expired, accepted
    from public.describe_invitation(${hashInviteToken(token)})`;
  return rows[0] ?? null;
}
