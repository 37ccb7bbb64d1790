'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition, type FormEvent } from 'react';
import { z } from 'zod';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input, Select } from '@/components/ui/field';
import type { DeviceFilter } from '@/features/devices/filters';
import type { ActionError } from '@/lib/errors';
import { number } from '@/lib/format';
import { paths } from '@/lib/paths';
import { previewBulkOperationAction, startBulkOperationAction } from '../actions';
import { BULK_KIND_LABELS, BULK_KINDS, BULK_MAX_DEVICES, previewBulkSchema, type BulkKind } from '../schemas';
import type { BulkPreview } from '../service';

/**
 * Choose the change, see the dry run (how many devices, from which integrations), then confirm:
 * the confirmation carries the dry run's count, and a selection that changed meanwhile is refused.
 */
export function BulkActionForm({ orgSlug, filter }: { orgSlug: string; filter: DeviceFilter }) {
  const router = useRouter();
  const [kind, setKind] = useState<BulkKind>('set_attribute');
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [preview, setPreview] = useState<BulkPreview | null>(null);
  const [error, setError] = useState<ActionError | null>(null);
  const [pending, startTransition] = useTransition();

  const input = { filter, kind, key, value };
  const reset = () => {
    setPreview(null);
    setError(null);
  };

  function dryRun(event: FormEvent) {
    event.preventDefault();
    const parsed = previewBulkSchema.safeParse(input);
    if (!parsed.success) {
      const flat = z.flattenError(parsed.error);
      setError({ code: 'VALIDATION', message: flat.formErrors[0] ?? 'Please correct the highlighted fields.', fieldErrors: flat.fieldErrors });
      return;
    }
    startTransition(async () => {
      const result = await previewBulkOperationAction(orgSlug, input);
      if (result.ok) {
        setError(null);
        setPreview(result.data);
      } else {
        setError(result.error);
        setPreview(null);
      }
    });
  }

  function run() {
    if (!preview) return;
    startTransition(async () => {
      const result = await startBulkOperationAction(orgSlug, { ...input, expectedCount: preview.total });
      if (result.ok) {
        router.push(paths.bulkOperation(orgSlug, result.data.operationId));
        return;
      }
      setError(result.error);
      if (result.error.code === 'CONFLICT') setPreview(null);
    });
  }

  const fieldErrors = (name: string) => error?.fieldErrors?.[name];
  const canRun = preview && preview.total > 0 && !preview.tooMany;

  return (
    <div className="space-y-5">
      <form onSubmit={dryRun} className="space-y-4" noValidate aria-label="Bulk action">
        <div className="grid gap-4 sm:grid-cols-[14rem_1fr_1fr]">
          <Field id="bulk-kind" label="Change">
            <Select id="bulk-kind" value={kind} onChange={(e) => { setKind(e.target.value as BulkKind); reset(); }}>
              {BULK_KINDS.map((k) => (
                <option key={k} value={k}>{BULK_KIND_LABELS[k]}</option>
              ))}
            </Select>
          </Field>
          <Field id="bulk-key" label={kind === 'set_attribute' ? 'Attribute' : 'Desired key'} errors={fieldErrors('key')}>
            <Input id="bulk-key" value={key} onChange={(e) => { setKey(e.target.value); reset(); }} placeholder={kind === 'set_attribute' ? 'room' : 'ledColor'} autoComplete="off" invalid={!!fieldErrors('key')} className="font-mono text-xs" />
          </Field>
          <Field
            id="bulk-value"
            label={kind === 'set_attribute' ? 'Value' : 'Value (JSON)'}
            hint={kind === 'set_attribute' ? 'Leave empty to remove the attribute.' : 'e.g. "blue", 21.5, true, {"a": 1}; null deletes the key.'}
            errors={fieldErrors('value')}
          >
            <Input id="bulk-value" value={value} onChange={(e) => { setValue(e.target.value); reset(); }} placeholder={kind === 'set_attribute' ? 'lab-2' : '"blue"'} autoComplete="off" invalid={!!fieldErrors('value')} className="font-mono text-xs" />
          </Field>
        </div>
        <div className="flex justify-end">
          <Button type="submit" variant="secondary" pending={pending && !preview}>Dry run</Button>
        </div>
      </form>

      {preview ? (
        <section aria-label="Dry run" className="space-y-3 rounded-md border border-line bg-surface-muted/50 p-4" data-testid="dry-run">
          <p className="text-sm text-ink">
            <strong className="font-semibold" data-testid="dry-run-count">{number.format(preview.total)}</strong> device{preview.total === 1 ? '' : 's'} selected · {preview.description}
          </p>
          {preview.byIntegration.length > 0 ? (
            <ul className="text-sm text-ink-muted">
              {preview.byIntegration.map((i) => (
                <li key={i.id}>
                  {number.format(i.count)} in {i.name}
                  {i.status === 'paused' ? ' (paused: these will fail)' : ''}
                </li>
              ))}
            </ul>
          ) : null}
          {preview.sample.length > 0 ? (
            <p className="text-xs text-ink-muted">
              For example <span className="font-mono">{preview.sample.join(', ')}</span>
              {preview.total > preview.sample.length ? '…' : ''}
            </p>
          ) : null}
          {preview.total === 0 ? <p className="text-sm text-ink-muted">Nothing to change: the filter selects no devices.</p> : null}
          {preview.tooMany ? (
            <p className="text-sm text-danger-700 dark:text-danger-300">A bulk action covers at most {number.format(BULK_MAX_DEVICES)} devices. Narrow the filter.</p>
          ) : null}
          <p className="text-xs text-ink-muted">
            Runs in the background within each integration’s API budget; throttling slows it down but never fails it. Each device’s result is reported.
          </p>
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="ghost" onClick={reset}>Back</Button>
            <Button onClick={run} pending={pending} disabled={!canRun}>
              Run on {number.format(preview.total)} device{preview.total === 1 ? '' : 's'}
            </Button>
          </div>
        </section>
      ) : null}
      {error && (error.code !== 'VALIDATION' || !error.fieldErrors || Object.keys(error.fieldErrors).length === 0) ? <FormError message={error.message} /> : null}
    </div>
  );
}
