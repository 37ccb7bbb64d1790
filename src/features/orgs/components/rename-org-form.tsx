'use client';

import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input } from '@/components/ui/field';
import { useActionForm } from '@/lib/use-action-form';
import { renameOrgAction } from '../actions';

export function RenameOrgForm({ orgSlug, name }: { orgSlug: string; name: string }) {
  const router = useRouter();
  const form = useActionForm((input) => renameOrgAction(orgSlug, input), { onSuccess: () => router.refresh() });
  return (
    <form onSubmit={form.onSubmit} className="flex flex-wrap items-start gap-3" noValidate>
      <div className="min-w-64 flex-1">
        <Field id="org-name" label="Name" errors={form.fieldErrors('name')}>
          <Input id="org-name" name="name" defaultValue={name} maxLength={80} required invalid={!!form.fieldErrors('name')} />
        </Field>
      </div>
      <Button type="submit" pending={form.pending} className="mt-6.5">
        Save
      </Button>
      <div className="basis-full">
        {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
        {form.result?.ok ? <p role="status" className="text-sm text-success-700 dark:text-success-300">Saved.</p> : null}
      </div>
    </form>
  );
}
