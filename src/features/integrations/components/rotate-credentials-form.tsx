'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input } from '@/components/ui/field';
import { useActionForm } from '@/lib/use-action-form';
import { rotateCredentialsAction } from '../actions';

/** New access keys for a saved integration: tested, then encrypted; the old ones are overwritten. */
export function RotateCredentialsForm({ orgSlug, integrationId, currentHint }: { orgSlug: string; integrationId: string; currentHint: string | null }) {
  const router = useRouter();
  const [rotatedTo, setRotatedTo] = useState<string | null>(null);
  const form = useActionForm((input) => rotateCredentialsAction(orgSlug, input), {
    onSuccess: (data, el) => {
      el.reset();
      setRotatedTo(data.credentialsHint);
      router.refresh();
    },
  });
  const errors = form.fieldErrors;
  return (
    <form onSubmit={form.onSubmit} noValidate className="space-y-4">
      <input type="hidden" name="integrationId" value={integrationId} />
      <p className="text-sm text-ink-muted">
        Current key <span className="font-mono text-ink">{currentHint}</span>. Create a new key for the same IAM user, paste it here, then
        deactivate the old one in AWS.
      </p>
      {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="rotate-access-key-id" label="New access key id" errors={errors('accessKeyId')}>
          <Input id="rotate-access-key-id" name="accessKeyId" autoComplete="off" spellCheck={false} className="font-mono" invalid={!!errors('accessKeyId')} />
        </Field>
        <Field id="rotate-secret" label="New secret access key" errors={errors('secretAccessKey')}>
          <Input id="rotate-secret" name="secretAccessKey" type="password" autoComplete="off" spellCheck={false} className="font-mono" invalid={!!errors('secretAccessKey')} />
        </Field>
      </div>
      <div className="flex items-center justify-end gap-3">
        <p role="status" className="text-sm text-success-700 dark:text-success-300">
          {rotatedTo && !form.pending ? `New keys saved (${rotatedTo}).` : ''}
        </p>
        <Button type="submit" pending={form.pending}>
          Test and rotate
        </Button>
      </div>
    </form>
  );
}
