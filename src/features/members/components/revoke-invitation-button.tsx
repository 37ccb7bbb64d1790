'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { revokeInvitationAction } from '../actions';

export function RevokeInvitationButton({ orgSlug, invitationId, email }: { orgSlug: string; invitationId: string; email: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      {error ? <span role="alert" className="text-xs text-danger-600">{error}</span> : null}
      <Button
        size="sm"
        variant="ghost"
        pending={pending}
        aria-label={`Revoke invitation for ${email}`}
        onClick={() =>
          startTransition(async () => {
            const result = await revokeInvitationAction(orgSlug, { invitationId });
            if (result.ok) router.refresh();
            else setError(result.error.message);
          })
        }
      >
        Revoke
      </Button>
    </span>
  );
}
