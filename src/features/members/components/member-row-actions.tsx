'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionResult } from '@/lib/errors';
import { ORG_ROLES, ROLE_LABELS, hasRole, type OrgRole } from '@/lib/roles';
import { changeMemberRoleAction, removeMemberAction } from '../actions';

/** Role select and remove button for one member; the server re-checks every rule. */
export function MemberRowActions({ orgSlug, userId, email, role, myRole, isSelf }: {
  orgSlug: string;
  userId: string;
  email: string;
  role: OrgRole;
  myRole: OrgRole;
  isSelf: boolean;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const canTouch = role !== 'owner' || hasRole(myRole, 'owner');
  const roles = ORG_ROLES.filter((r) => r !== 'owner' || hasRole(myRole, 'owner'));

  function run(call: () => Promise<ActionResult<unknown>>) {
    setError(null);
    startTransition(async () => {
      const result = await call();
      if (!result.ok) setError(result.error.message);
      else router.refresh();
    });
  }

  if (!canTouch) return <span className="text-sm text-ink-muted">{ROLE_LABELS[role]}</span>;
  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex items-center gap-2">
        <select
          aria-label={`Role of ${email}`}
          value={role}
          disabled={pending}
          onChange={(e) => run(() => changeMemberRoleAction(orgSlug, { userId, role: e.target.value }))}
          className="rounded-md border border-line bg-surface px-2 py-1 text-sm"
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
        <Button
          size="sm"
          variant="ghost"
          disabled={pending}
          onClick={() => {
            if (window.confirm(isSelf ? 'Leave this organization?' : `Remove ${email} from this organization?`)) {
              run(() => removeMemberAction(orgSlug, { userId }));
            }
          }}
        >
          {isSelf ? 'Leave' : 'Remove'}
        </Button>
      </div>
      {error ? (
        <p role="alert" className="max-w-xs text-right text-xs text-danger-600 dark:text-danger-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}
