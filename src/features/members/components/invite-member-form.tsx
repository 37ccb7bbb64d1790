'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input, Select } from '@/components/ui/field';
import { ORG_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS, hasRole, type OrgRole } from '@/lib/roles';
import { useActionForm } from '@/lib/use-action-form';
import { inviteMemberAction } from '../actions';

interface CreatedInvite {
  email: string;
  role: OrgRole;
  inviteUrl: string;
  expiresAt: string;
}

export function InviteMemberForm({ orgSlug, myRole }: { orgSlug: string; myRole: OrgRole }) {
  const router = useRouter();
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const [copied, setCopied] = useState(false);
  const form = useActionForm((input) => inviteMemberAction(orgSlug, input), {
    onSuccess: (data, el) => {
      setCreated(data);
      setCopied(false);
      el.reset();
      router.refresh();
    },
  });
  const roles = ORG_ROLES.filter((r) => r !== 'owner' || hasRole(myRole, 'owner'));
  return (
    <div className="space-y-4">
      <form onSubmit={form.onSubmit} className="grid gap-3 sm:grid-cols-[1fr_12rem_auto] sm:items-start" noValidate>
        <Field id="invite-email" label="Email" errors={form.fieldErrors('email')}>
          <Input id="invite-email" name="email" type="email" placeholder="colleague@example.com" required invalid={!!form.fieldErrors('email')} />
        </Field>
        <Field id="invite-role" label="Role" errors={form.fieldErrors('role')}>
          <Select id="invite-role" name="role" defaultValue="viewer" invalid={!!form.fieldErrors('role')}>
            {roles.map((r) => (
              <option key={r} value={r} title={ROLE_DESCRIPTIONS[r]}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" pending={form.pending} className="sm:mt-6.5">
          Create invite link
        </Button>
      </form>
      {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
      {created ? (
        <div className="rounded-md border border-success-200 bg-success-50 p-3 text-sm dark:border-success-800 dark:bg-success-950" role="status">
          <p className="font-medium text-success-800 dark:text-success-200">
            Invitation for {created.email} ({ROLE_LABELS[created.role]}) created. Send them this link — it is shown only now and
            expires {new Date(created.expiresAt).toLocaleDateString()}.
          </p>
          <div className="mt-2 flex gap-2">
            <input
              readOnly
              value={created.inviteUrl}
              aria-label="Invite link"
              data-testid="invite-link"
              onFocus={(e) => e.currentTarget.select()}
              className="min-w-0 flex-1 rounded-md border border-line bg-surface px-2 py-1 font-mono text-xs"
            />
            <Button
              type="button"
              size="sm"
              variant="secondary"
              onClick={async () => {
                await navigator.clipboard?.writeText(created.inviteUrl).catch(() => undefined);
                setCopied(true);
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
