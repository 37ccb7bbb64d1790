'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input, Select } from '@/components/ui/field';
import { useActionForm } from '@/lib/use-action-form';
import { updateChannelAction } from '../actions';
import type { ChannelDto } from '../queries';
import { updateChannelSchema, WEBHOOK_FORMATS } from '../schemas';
import { textareaClass } from './create-channel-form';
import { parseRecipients, WEBHOOK_FORMAT_LABELS } from './labels';
import { validateThen } from './validate';

/** Name and target of a channel (admins). The saved URL is not readable: an empty field keeps it. */
export function ChannelSettingsForm({ orgSlug, channel }: { orgSlug: string; channel: ChannelDto }) {
  const router = useRouter();
  const [saved, setSaved] = useState(false);
  const form = useActionForm(
    (values) => {
      const url = String(values.url ?? '').trim();
      const input =
        channel.kind === 'email'
          ? { channelId: channel.id, name: String(values.name ?? ''), recipients: parseRecipients(String(values.recipients ?? '')) }
          : { channelId: channel.id, name: String(values.name ?? ''), format: String(values.format ?? channel.format), ...(url ? { url } : {}) };
      return validateThen(updateChannelSchema, input, () => updateChannelAction(orgSlug, input));
    },
    {
      onSuccess: (_data, el) => {
        setSaved(true);
        const urlField = el.elements.namedItem('url');
        if (urlField instanceof HTMLInputElement) urlField.value = '';
        router.refresh();
      },
    },
  );
  const errors = form.fieldErrors;
  return (
    <form onSubmit={(e) => { setSaved(false); form.onSubmit(e); }} noValidate className="space-y-4" aria-label="Channel settings">
      {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
      <Field id="edit-name" label="Name" errors={errors('name')}>
        <Input id="edit-name" name="name" defaultValue={channel.name} maxLength={80} autoComplete="off" invalid={!!errors('name')} />
      </Field>
      {channel.kind === 'email' ? (
        <Field id="edit-recipients" label="Recipients" hint="One address per line." errors={errors('recipients')}>
          <textarea
            id="edit-recipients"
            name="recipients"
            rows={4}
            spellCheck={false}
            defaultValue={(channel.recipients ?? []).join('\n')}
            aria-invalid={!!errors('recipients') || undefined}
            aria-describedby={errors('recipients') ? 'edit-recipients-error' : 'edit-recipients-hint'}
            className={textareaClass}
          />
        </Field>
      ) : (
        <div className="grid gap-4 sm:grid-cols-[1fr_14rem]">
          <Field id="edit-url" label="New webhook URL" hint={<>Leave empty to keep the current one ({channel.urlHint}).</>} errors={errors('url')}>
            <Input id="edit-url" name="url" type="url" inputMode="url" spellCheck={false} autoComplete="off" invalid={!!errors('url')} />
          </Field>
          <Field id="edit-format" label="Format" errors={errors('format')}>
            <Select id="edit-format" name="format" defaultValue={channel.format}>
              {WEBHOOK_FORMATS.map((f) => (
                <option key={f} value={f}>{WEBHOOK_FORMAT_LABELS[f]}</option>
              ))}
            </Select>
          </Field>
        </div>
      )}
      <div className="flex items-center justify-end gap-3">
        <p role="status" className="text-sm text-success-700 dark:text-success-300">{saved && !form.pending ? 'Saved.' : ''}</p>
        <Button type="submit" pending={form.pending}>Save changes</Button>
      </div>
    </form>
  );
}
