'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition, type FormEvent } from 'react';
import { z } from 'zod';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input } from '@/components/ui/field';
import type { ActionError } from '@/lib/errors';
import { updateDeviceAttributeAction } from '../actions';
import { updateAttributeSchema, type UpdateAttributeInput } from '../schemas';

type Change = { op: 'set'; name: string; value: string } | { op: 'remove'; name: string };

/**
 * The thing's registry attributes. Operators edit, add and remove them (UpdateThing with the
 * registry version they saw); viewers get the same table without any control.
 */
export function AttributesEditor({
  orgSlug,
  deviceId,
  attributes,
  registryVersion,
  canWrite,
}: {
  orgSlug: string;
  deviceId: string;
  attributes: Record<string, string>;
  registryVersion: number | null;
  canWrite: boolean;
}) {
  const router = useRouter();
  const [editing, setEditing] = useState<{ name: string; value: string } | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [error, setError] = useState<ActionError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const names = Object.keys(attributes).sort();

  function apply(change: Change, done?: () => void) {
    setMessage(null);
    const input = { ...change, deviceId, expectedVersion: registryVersion } as UpdateAttributeInput;
    const parsed = updateAttributeSchema.safeParse(input);
    if (!parsed.success) {
      const flat = z.flattenError(parsed.error);
      setError({ code: 'VALIDATION', message: flat.formErrors[0] ?? 'Please correct the highlighted field.', fieldErrors: flat.fieldErrors });
      return;
    }
    startTransition(async () => {
      const result = await updateDeviceAttributeAction(orgSlug, parsed.data);
      if (result.ok) {
        setError(null);
        const what = change.op === 'set' ? `Saved ${change.name}` : `Removed ${change.name}`;
        setMessage(
          `${what} (registry version ${result.data.registryVersion}).${
            result.data.versionSource === 'describe' ? ' The fleet index does not report registry versions, so Fleetline read it from AWS just before saving.' : ''
          }`,
        );
        done?.();
      } else {
        setError(result.error);
      }
      // Success or conflict: the cached row now holds what AWS holds.
      if (result.ok || result.error.code === 'CONFLICT') router.refresh();
    });
  }

  function saveEdit(event: FormEvent) {
    event.preventDefault();
    if (editing) apply({ op: 'set', name: editing.name, value: editing.value }, () => setEditing(null));
  }

  function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    apply({ op: 'set', name: String(data.get('name') ?? '').trim(), value: String(data.get('value') ?? '').trim() }, () => form.reset());
  }

  const fieldErrors = (name: string) => error?.fieldErrors?.[name];

  return (
    <div className="space-y-4">
      {names.length === 0 ? (
        <p className="text-sm text-ink-muted">This thing has no attributes.</p>
      ) : (
        <div className="-mx-5 overflow-x-auto">
          <table className="w-full text-sm" aria-label="Attributes">
            <thead className="text-left text-xs text-ink-muted">
              <tr>
                <th className="px-5 py-1 font-medium">Name</th>
                <th className="px-5 py-1 pl-0 font-medium">Value</th>
              </tr>
            </thead>
            <tbody>
              {names.map((name) => (
                <tr key={name} className="border-t border-line align-middle" data-testid="attribute-row" data-name={name}>
                  <th scope="row" className="w-1/3 px-5 py-2 text-left font-mono text-xs font-normal break-all text-ink">{name}</th>
                  <td className="px-5 py-2 pl-0">
                    {editing?.name === name ? (
                      <form onSubmit={saveEdit} className="flex flex-wrap items-center gap-2" onKeyDown={(e) => e.key === 'Escape' && setEditing(null)}>
                        <Input
                          id={`attr-edit-${name}`}
                          aria-label={`Value of ${name}`}
                          value={editing.value}
                          onChange={(e) => setEditing({ name, value: e.target.value })}
                          invalid={!!fieldErrors('value')}
                          autoFocus
                          className="max-w-xs font-mono text-xs"
                        />
                        <Button type="submit" size="sm" pending={pending}>Save</Button>
                        <Button type="button" size="sm" variant="ghost" onClick={() => setEditing(null)}>Cancel</Button>
                      </form>
                    ) : (
                      <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1">
                        <span className="min-w-0 break-all font-mono text-xs text-ink" data-testid="attribute-value">{attributes[name]}</span>
                        {!canWrite ? null : removing === name ? (
                          <span className="inline-flex items-center gap-2">
                            <span className="text-xs text-ink-muted">Remove {name}?</span>
                            <Button size="sm" variant="danger" pending={pending} onClick={() => apply({ op: 'remove', name }, () => setRemoving(null))}>Remove</Button>
                            <Button size="sm" variant="ghost" onClick={() => setRemoving(null)}>Keep</Button>
                          </span>
                        ) : (
                          <span className="inline-flex gap-1">
                            <Button size="sm" variant="ghost" aria-label={`Edit ${name}`} onClick={() => { setRemoving(null); setEditing({ name, value: attributes[name] ?? '' }); }}>Edit</Button>
                            <Button size="sm" variant="ghost" aria-label={`Remove ${name}`} onClick={() => { setEditing(null); setRemoving(name); }}>Remove</Button>
                          </span>
                        )}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canWrite ? (
        <form onSubmit={add} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end" aria-label="Add an attribute" noValidate>
          <Field id="attr-new-name" label="Attribute" errors={editing ? undefined : fieldErrors('name')}>
            <Input id="attr-new-name" name="name" placeholder="room" autoComplete="off" invalid={!editing && !!fieldErrors('name')} className="font-mono text-xs" />
          </Field>
          <Field id="attr-new-value" label="Value" errors={editing ? undefined : fieldErrors('value')}>
            <Input id="attr-new-value" name="value" placeholder="lab-2" autoComplete="off" invalid={!editing && !!fieldErrors('value')} className="font-mono text-xs" />
          </Field>
          <Button type="submit" variant="secondary" pending={pending && !editing && !removing}>Add attribute</Button>
        </form>
      ) : null}
      {error && (error.code !== 'VALIDATION' || !error.fieldErrors || Object.keys(error.fieldErrors).length === 0 || editing) ? (
        <FormError message={error.code === 'VALIDATION' && editing && error.fieldErrors?.value ? error.fieldErrors.value[0] : error.message} />
      ) : null}
      {message ? <p role="status" className="text-sm text-success-700 dark:text-success-300">{message}</p> : null}
      {canWrite ? (
        <p className="text-xs text-ink-muted">Names and values use letters, digits and _.,@/:#=[]- (no spaces). Saving is refused if the thing changed in AWS since this page loaded.</p>
      ) : null}
    </div>
  );
}
