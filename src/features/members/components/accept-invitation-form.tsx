'use client';

import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { useActionForm } from '@/lib/use-action-form';
import { acceptInvitationAction } from '../actions';

export function AcceptInvitationForm({ token, orgName }: { token: string; orgName: string }) {
  const form = useActionForm(acceptInvitationAction);
  return (
    <form onSubmit={form.onSubmit} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      <FormError message={form.error?.message} />
      <Button type="submit" className="w-full" pending={form.pending}>
        Join {orgName}
      </Button>
    </form>
  );
}
