import type { Metadata } from 'next';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { InviteMemberForm } from '@/features/members/components/invite-member-form';
import { MemberRowActions } from '@/features/members/components/member-row-actions';
import { RevokeInvitationButton } from '@/features/members/components/revoke-invitation-button';
import { listMembers, listPendingInvitations } from '@/features/members/queries';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { ROLE_LABELS, hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Members' };

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

export default async function MembersPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  const { user, org, role } = await loadWorkspace(orgSlug);
  const isAdmin = hasRole(role, 'admin');
  const [members, invitations] = await asUser(user.claims, (db) =>
    Promise.all([listMembers(db, org.id), isAdmin ? listPendingInvitations(db, org.id) : Promise.resolve([])]),
  );

  return (
    <>
      <PageHeader
        title="Members"
        description={isAdmin ? 'Invite people, set their roles and remove access.' : `You are a ${ROLE_LABELS[role].toLowerCase()} of ${org.name}.`}
      />
      <div className="space-y-6">
        {isAdmin ? (
          <Card title="Invite a member" description="There is no mail server here: copy the link and send it yourself.">
            <InviteMemberForm orgSlug={org.slug} myRole={role} />
          </Card>
        ) : null}

        <Card title={`People (${members.length})`}>
          <ul className="-my-2 divide-y divide-line" aria-label="Members">
            {members.map((m) => (
              <li key={m.userId} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid="member-row">
                <div>
                  <p className="text-sm font-medium text-ink">
                    {m.email} {m.userId === user.id ? <Badge tone="brand">you</Badge> : null}
                  </p>
                  <p className="text-xs text-ink-muted">Joined {dateFormat.format(m.joinedAt)}</p>
                </div>
                {isAdmin ? (
                  <MemberRowActions orgSlug={org.slug} userId={m.userId} email={m.email} role={m.role} myRole={role} isSelf={m.userId === user.id} />
                ) : (
                  <Badge>{ROLE_LABELS[m.role]}</Badge>
                )}
              </li>
            ))}
          </ul>
        </Card>

        {isAdmin ? (
          <Card title="Pending invitations">
            {invitations.length === 0 ? (
              <p className="text-sm text-ink-muted">No pending invitations.</p>
            ) : (
              <ul className="-my-2 divide-y divide-line" aria-label="Pending invitations">
                {invitations.map((inv) => {
                  const expired = inv.expired;
                  return (
                    <li key={inv.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                      <div>
                        <p className="text-sm font-medium text-ink">
                          {inv.email} <Badge>{ROLE_LABELS[inv.role]}</Badge>{' '}
                          {expired ? <Badge tone="warning">expired</Badge> : null}
                        </p>
                        <p className="text-xs text-ink-muted">
                          Sent {dateFormat.format(inv.createdAt)} · {expired ? 'expired' : 'expires'} {dateFormat.format(inv.expiresAt)}
                        </p>
                      </div>
                      <RevokeInvitationButton orgSlug={org.slug} invitationId={inv.id} email={inv.email} />
                    </li>
                  );
                })}
              </ul>
            )}
          </Card>
        ) : null}
      </div>
    </>
  );
}
