'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input, Select } from '@/components/ui/field';
import { paths } from '@/lib/paths';
import { useActionForm } from '@/lib/use-action-form';
import { createChannelAction } from '../actions';
import type { ChannelDto } from '../queries';
import { CHANNEL_KINDS, createChannelSchema, MAX_RECIPIENTS, WEBHOOK_FORMATS, type ChannelKind } from '../schemas';
import { CHANNEL_KIND_LABELS, parseRecipients, WEBHOOK_FORMAT_LABELS } from './labels';
import { SigningSecretNotice } from './signing-secret-notice';
import { validateThen } from './validate';

export const textareaClass =
  'block w-full rounded-md border border-line bg-surface px-3 py-2 text-sm text-ink shadow-xs placeholder:text-ink-faint focus:border-brand-500 focus:outline-2 focus:outline-brand-500/30 aria-[invalid=true]:border-danger-500';

/** Adds an e-mail or webhook channel (admins); a webhook's secret is shown here once. */
export function CreateChannelForm({ orgSlug }: { orgSlug: string }) {
  const router = useRouter();
  const [kind, setKind] = useState<ChannelKind>('webhook');
  const [created, setCreated] = useState<{ channel: ChannelDto; secret: string | null } | null>(null);
  const form = useActionForm(
    (values) => {
      const input =
        values.kind === 'email'
          ? { kind: 'email', name: String(values.name ?? ''), recipients: parseRecipients(String(values.recipients ?? '')) }
          : { kind: 'webhook', name: String(values.name ?? ''), url: String(values.url ?? ''), format: String(values.format ?? 'json') };
      return validateThen(createChannelSchema, input, () => createChannelAction(orgSlug, input));
    },
    {
      onSuccess: (data, el) => {
        setCreated({ channel: data.channel, secret: data.signingSecret });
        el.reset();
        router.refresh();
      },
    },
  );
  const errors = form.fieldErrors;

  if (created) {
    const link = (
      <Link href={paths.notificationChannel(orgSlug, created.channel.id)} className="font-medium text-brand-700 hover:underline dark:text-brand-300">
        {created.channel.name}
      </Link>
    );
    return (
      <div className="space-y-4">
        <p role="status" className="text-sm text-success-700 dark:text-success-300">
          Channel {link} created.
        </p>
        {created.secret ? (
          <SigningSecretNotice secret={created.secret} onDone={() => setCreated(null)} />
        ) : (
          <Button type="button" variant="secondary" autoFocus onClick={() => setCreated(null)}>
            Add another channel
          </Button>
        )}
      </div>
    );
  }

  return (
    <form onSubmit={form.onSubmit} noValidate className="space-y-4" aria-label="Add a channel">
      {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
      <fieldset>
        <legend className="mb-1.5 block text-sm font-medium text-ink">Kind</legend>
        <div className="flex gap-4">
          {CHANNEL_KINDS.map((k) => (
            <label key={k} className="inline-flex items-center gap-2 text-sm">
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} className="accent-brand-600" />
              {CHANNEL_KIND_LABELS[k]}
            </label>
          ))}
        </div>
      </fieldset>
      <Field id="channel-name" label="Name" errors={errors('name')}>
        <Input id="channel-name" name="name" maxLength={80} autoComplete="off" invalid={!!errors('name')} />
      </Field>
      {kind === 'email' ? (
        <Field id="channel-recipients" label="Recipients" hint={`One address per line (commas work too), up to ${MAX_RECIPIENTS}.`} errors={errors('recipients')}>
          <textarea
            id="channel-recipients"
            name="recipients"
            rows={3}
            spellCheck={false}
            aria-invalid={!!errors('recipients') || undefined}
            aria-describedby={errors('recipients') ? 'channel-recipients-error' : 'channel-recipients-hint'}
            className={textareaClass}
          />
        </Field>
      ) : (
        <div className="grid gap-4 sm:grid-cols-[1fr_14rem]">
          <Field id="channel-url" label="Webhook URL" hint="Fleetline POSTs signed JSON here. Members see only its host." errors={errors('url')}>
            <Input id="channel-url" name="url" type="url" inputMode="url" spellCheck={false} autoComplete="off" placeholder="https://hooks.example.com/fleetline" invalid={!!errors('url')} />
          </Field>
          <Field id="channel-format" label="Format" errors={errors('format')}>
            <Select id="channel-format" name="format" defaultValue="json">
              {WEBHOOK_FORMATS.map((f) => (
                <option key={f} value={f}>{WEBHOOK_FORMAT_LABELS[f]}</option>
              ))}
            </Select>
          </Field>
        </div>
      )}
      <div className="flex justify-end">
        <Button type="submit" pending={form.pending}>Add channel</Button>
      </div>
    </form>
  );
}
