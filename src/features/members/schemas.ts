import { z } from 'zod';
import { ORG_ROLES } from '@/lib/roles';

export const roleSchema = z.enum(ORG_ROLES, { message: 'Choose one of: viewer, operator, admin, owner.' });

export const inviteMemberSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email({ message: 'Enter a valid email address.' })),
  role: roleSchema,
});
export type InviteMemberInput = z.infer<typeof inviteMemberSchema>;

export const changeMemberRoleSchema = z.object({ userId: z.uuid(), role: roleSchema });
export type ChangeMemberRoleInput = z.infer<typeof changeMemberRoleSchema>;

export const removeMemberSchema = z.object({ userId: z.uuid() });
export type RemoveMemberInput = z.infer<typeof removeMemberSchema>;

export const revokeInvitationSchema = z.object({ invitationId: z.uuid() });
export type RevokeInvitationInput = z.infer<typeof revokeInvitationSchema>;

/** Invite tokens are 32 random bytes, base64url. */
export const inviteTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'This invitation link is not valid.');
export const acceptInvitationSchema = z.object({ token: inviteTokenSchema });
export type AcceptInvitationInput = z.infer<typeof acceptInvitationSchema>;

export const INVITATION_TTL_DAYS = 7;
