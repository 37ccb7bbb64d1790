'use server';

import { redirect } from 'next/navigation';
import { orgAction, userAction } from '@/lib/actions';
import { appUrl } from '@/lib/app-url';
import { paths } from '@/lib/paths';
import { enforceRateLimit } from '@/lib/rate-limit';
import {
  acceptInvitationSchema,
  changeMemberRoleSchema,
  inviteMemberSchema,
  removeMemberSchema,
  revokeInvitationSchema,
} from './schemas';
import { acceptInvitation, changeMemberRole, inviteMember, removeMember, revokeInvitation } from './service';

export const inviteMemberAction = orgAction('inviteMember', { schema: inviteMemberSchema, minRole: 'admin' }, async (ctx, input) => {
  await enforceRateLimit('inviteMember', ctx.org.id);
  const invitation = await inviteMember(ctx, input);
  return {
    invitationId: invitation.invitationId,
    email: input.email,
    role: input.role,
    inviteUrl: appUrl(paths.invite(invitation.token)),
    expiresAt: invitation.expiresAt.toISOString(),
  };
});

export const revokeInvitationAction = orgAction('revokeInvitation', { schema: revokeInvitationSchema, minRole: 'admin' }, revokeInvitation);

export const changeMemberRoleAction = orgAction('changeMemberRole', { schema: changeMemberRoleSchema, minRole: 'admin' }, changeMemberRole);

export const removeMemberAction = orgAction('removeMember', { schema: removeMemberSchema, minRole: 'admin' }, removeMember);

const acceptAction = userAction('acceptInvitation', acceptInvitationSchema, acceptInvitation);

export async function acceptInvitationAction(raw: unknown) {
  const result = await acceptAction(raw);
  if (result.ok) redirect(paths.org(result.data.slug));
  return result;
}
