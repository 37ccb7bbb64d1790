'use client';

import { useState, useTransition, type FormEvent } from 'react';
import type { ActionError, ActionResult } from './errors';

/**
 * Submits a form to a server action without a page reload, so typed values stay in place when
 * the action returns field errors. The action receives the form's fields as a plain object.
 */
export function useActionForm<T>(
  action: (input: Record<string, FormDataEntryValue>) => Promise<ActionResult<T>>,
  options: { onSuccess?: (data: T, form: HTMLFormElement) => void } = {},
) {
  const [result, setResult] = useState<ActionResult<T> | null>(null);
  const [pending, startTransition] = useTransition();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const values = Object.fromEntries(new FormData(form));
    startTransition(async () => {
      const next = await action(values);
      setResult(next);
      if (next.ok) options.onSuccess?.(next.data, form);
    });
  }

  const error: ActionError | null = result && !result.ok ? result.error : null;
  return {
    onSubmit,
    pending,
    result,
    error,
    fieldErrors: (name: string) => error?.fieldErrors?.[name],
    reset: () => setResult(null),
  };
}
