'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input } from '@/components/ui/field';
import { paths } from '@/lib/paths';
import { useActionForm } from '@/lib/use-action-form';
import { deleteIntegrationAction } from '../actions';

/** Delete with a confirmation that says what goes with it; the name must be typed. */
export function DeleteIntegration({ orgSlug, integrationId, name }: { orgSlug: string; integrationId: string; name: string }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const form = useActionForm((input) => deleteIntegrationAction(orgSlug, input), {
    onSuccess: () => {
      router.push(paths.integrations(orgSlug));
      router.refresh();
    },
  });
  if (!confirming) {
    return (
      <Button variant="danger" onClick={() => setConfirming(true)}>
        Delete integration…
      </Button>
    );
  }
  return (
    <form onSubmit={form.onSubmit} noValidate className="space-y-4 rounded-md border border-danger-200 bg-danger-50 p-4 dark:border-danger-800 dark:bg-danger-950" aria-label="Confirm deletion">
      <input type="hidden" name="integrationId" value={integrationId} />
      <div className="space-y-1 text-sm text-danger-800 dark:text-danger-200">
        <p className="font-semibold">Delete “{name}”?</p>
        <p>
          This removes its encrypted credentials and everything Fleetline cached from this AWS account: devices and their shadows, OTA
          jobs and executions, command and telemetry history, and sync runs. Nothing changes in your AWS account. This cannot be undone.
        </p>
      </div>
      {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
      <Field id="delete-confirm" label={`Type “${name}” to confirm`} errors={form.fieldErrors('confirmName')}>
        <Input id="delete-confirm" name="confirmName" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} invalid={!!form.fieldErrors('confirmName')} />
      </Field>
      <div className="flex justify-end gap-3">
        <Button type="button" variant="secondary" onClick={() => { setConfirming(false); setTyped(''); form.reset(); }}>
          Cancel
        </Button>
        <Button type="submit" variant="danger" disabled={typed.trim() !== name} pending={form.pending}>
          Delete integration
        </Button>
      </div>
    </form>
  );
}
