import type { Metadata } from 'next';
import Link from 'next/link';
import { AcceptInvitationForm } from '@/features/members/components/accept-invitation-form';
import { getInvitationPreview } from '@/features/members/queries';
import { inviteTokenSchema } from '@/features/members/schemas';
import { getSessionUser } from '@/lib/auth';
import { asService } from '@/lib/db';
import { paths } from '@/lib/paths';
import { ROLE_LABELS } from '@/lib/roles';

export const metadata: Metadata = { title: 'Invitation' };

function Problem({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="space-y-2" role="alert">
      <h1 className="text-lg font-semibold">{title}</h1>
      <p className="text-sm text-ink-muted">{children}</p>
      <Link href={paths.home} className="inline-block pt-2 text-sm font-medium text-brand-600 hover:underline">
        Go to Fleetline
      </Link>
    </div>
  );
}

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  if (!inviteTokenSchema.safeParse(token).success) {
    return <Problem title="Invitation not found">This invitation link is not valid. Check that you copied all of it.</Problem>;
  }
  // The one public read: an invitee has no membership yet, so RLS cannot show them the invite.
  const invite = await asService((db) => getInvitationPreview(db, token));
  if (!invite) return <Problem title="Invitation not found">This invitation link is not valid or was revoked.</Problem>;
  if (invite.accepted) return <Problem title="Invitation already used">This invitation has already been accepted.</Problem>;
  if (invite.expired) {
    return <Problem title="Invitation expired">This invitation has expired. Ask an admin of {invite.orgName} for a new one.</Problem>;
  }

  const user = await getSessionUser();
  const here = paths.invite(token);
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-lg font-semibold">Join {invite.orgName}</h1>
        <p className="mt-1 text-sm text-ink-muted">
          You were invited as <strong className="text-ink">{ROLE_LABELS[invite.role]}</strong> ({invite.email}).
        </p>
      </div>
      {user ? (
        user.email.toLowerCase() === invite.email ? (
          <AcceptInvitationForm token={token} orgName={invite.orgName} />
        ) : (
          <p role="alert" className="text-sm text-warning-700 dark:text-warning-300">
            You are signed in as {user.email}, but this invitation is for {invite.email}. Sign out and sign in with that address.
          </p>
        )
      ) : (
        <div className="flex flex-col gap-2">
          <Link
            href={`${paths.signup}?email=${encodeURIComponent(invite.email)}&next=${encodeURIComponent(here)}`}
            className="rounded-md bg-brand-600 px-4 py-2 text-center text-sm font-medium text-white hover:bg-brand-700"
          >
            Create an account to join
          </Link>
          <Link href={`${paths.login}?next=${encodeURIComponent(here)}`} className="rounded-md border border-line px-4 py-2 text-center text-sm font-medium hover:bg-surface-muted">
            I already have an account
          </Link>
        </div>
      )}
    </div>
  );
}
