'use client';

import { useId, useState, useTransition, type FormEvent, type KeyboardEvent } from 'react';
import { z } from 'zod';
import { Button } from '@/components/ui/button';
import { Field, FormError, Select } from '@/components/ui/field';
import type { ActionError } from '@/lib/errors';
import { number } from '@/lib/format';
import { sendCommandAction } from '../actions';
import type { CommandDto } from '../queries';
import { COMMAND_TIMEOUTS, DEFAULT_COMMAND_TIMEOUT, DESIRED_MAX_BYTES, sendCommandSchema } from '../schemas';

const TIMEOUT_LABELS: Record<number, string> = { 60: '1 minute', 600: '10 minutes', 3600: '1 hour', 86_400: '1 day' };

export interface ComposerTarget {
  /** Null for the classic shadow. */
  shadowName: string | null;
  /** The version shown to the operator, sent as `version` so a changed shadow is a conflict. */
  version: number | null;
  desired: Record<string, unknown> | null;
}

/**
 * The desired-state editor: JSON validated in the browser with the action's own schema (size,
 * nesting, no reported section), so nothing is sent on invalid input; Ctrl/⌘+Enter sends.
 */
export function CommandComposer({
  orgSlug,
  deviceId,
  target,
  onSent,
  onConflict,
}: {
  orgSlug: string;
  deviceId: string;
  target: ComposerTarget;
  /** The command just recorded (pending), for the timeline to show before the next poll. */
  onSent: (command: CommandDto) => void;
  onConflict: () => void;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [timeoutSeconds, setTimeoutSeconds] = useState<number>(DEFAULT_COMMAND_TIMEOUT);
  const [error, setError] = useState<ActionError | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const bytes = new TextEncoder().encode(text).length;
  const desiredErrors = error?.fieldErrors?.desired;

  function submit(event?: FormEvent) {
    event?.preventDefault();
    setSent(null);
    const input = { deviceId, shadowName: target.shadowName, desired: text, expectedVersion: target.version, timeoutSeconds };
    const parsed = sendCommandSchema.safeParse(input);
    if (!parsed.success) {
      const flat = z.flattenError(parsed.error);
      setError({ code: 'VALIDATION', message: flat.formErrors[0] ?? 'Please correct the desired state.', fieldErrors: flat.fieldErrors });
      return;
    }
    startTransition(async () => {
      const result = await sendCommandAction(orgSlug, input);
      if (result.ok) {
        setError(null);
        setSent(`Command sent${result.data.shadowVersion !== null ? ` (shadow version ${result.data.shadowVersion})` : ''}. Follow it in the timeline.`);
        onSent({
          id: result.data.commandId,
          shadowName: target.shadowName,
          desired: parsed.data.desired,
          status: 'pending',
          shadowVersion: result.data.shadowVersion,
          timeoutSeconds,
          requestedBy: null,
          createdAt: result.data.createdAt,
          deliveredAt: null,
          resolvedAt: null,
          error: null,
        });
        return;
      }
      setError(result.error);
      if (result.error.code === 'CONFLICT') onConflict();
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) submit();
  }

  return (
    <form onSubmit={submit} className="space-y-3" noValidate aria-label="Send a command">
      <p className="text-sm text-ink-muted">
        Writes to the <strong className="font-medium text-ink">{target.shadowName ? `named shadow “${target.shadowName}”` : 'classic shadow'}</strong>
        {target.version !== null ? ` at version ${target.version}` : ' (not created yet)'}. A key set to <code className="font-mono">null</code> is deleted.
      </p>
      <Field
        id={`${id}-desired`}
        label="Desired state (JSON)"
        hint={`${number.format(bytes)} bytes typed · AWS allows ${number.format(DESIRED_MAX_BYTES)} bytes of state, nested at most 6 levels.`}
        errors={desiredErrors}
      >
        <textarea
          id={`${id}-desired`}
          name="desired"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          rows={6}
          spellCheck={false}
          placeholder={'{\n  "ledColor": "blue"\n}'}
          aria-invalid={desiredErrors ? true : undefined}
          aria-describedby={desiredErrors ? `${id}-desired-error` : `${id}-desired-hint`}
          className="block w-full rounded-md border border-line bg-surface px-3 py-2 font-mono text-xs text-ink shadow-xs placeholder:text-ink-faint focus:border-brand-500 focus:outline-2 focus:outline-brand-500/30 aria-[invalid=true]:border-danger-500"
        />
      </Field>
      <div className="flex flex-wrap items-end gap-3">
        <div className="w-40">
          <Field id={`${id}-timeout`} label="Time out after">
            <Select id={`${id}-timeout`} value={timeoutSeconds} onChange={(e) => setTimeoutSeconds(Number(e.target.value))}>
              {COMMAND_TIMEOUTS.map((t) => (
                <option key={t} value={t}>
                  {TIMEOUT_LABELS[t]}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        {target.desired && Object.keys(target.desired).length > 0 ? (
          <Button type="button" variant="ghost" size="sm" onClick={() => setText(JSON.stringify(target.desired, null, 2))}>
            Start from current desired
          </Button>
        ) : null}
        <Button type="submit" pending={pending} className="ml-auto">
          Send command
        </Button>
      </div>
      {error && error.code !== 'VALIDATION' ? <FormError message={error.message} /> : null}
      {error?.code === 'VALIDATION' && !desiredErrors ? <FormError message={error.message} /> : null}
      {sent ? (
        <p role="status" className="text-sm text-success-700 dark:text-success-300">
          {sent}
        </p>
      ) : null}
    </form>
  );
}
