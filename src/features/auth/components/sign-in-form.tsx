'use client';

import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input } from '@/components/ui/field';
import { paths } from '@/lib/paths';
import { useActionForm } from '@/lib/use-action-form';
import { signInAction } from '../actions';

export function SignInForm({ next, notice }: { next?: string; notice?: string }) {
  const form = useActionForm(signInAction);
  const passwordErrors = form.fieldErrors('password');
  return (
    <form onSubmit={form.onSubmit} className="space-y-4" noValidate>
      <h1 className="text-lg font-semibold">Sign in</h1>
      {notice ? <p className="rounded-md bg-surface-muted px-3 py-2 text-sm text-ink-muted">{notice}</p> : null}
      {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <Field id="email" label="Email" errors={form.fieldErrors('email')}>
        <Input id="email" name="email" type="email" autoComplete="email" required autoFocus invalid={!!form.fieldErrors('email')} />
      </Field>
      <Field id="password" label="Password" errors={passwordErrors}>
        <Input id="password" name="password" type="password" autoComplete="current-password" required invalid={!!passwordErrors} />
      </Field>
      <Button type="submit" className="w-full" pending={form.pending}>
        Sign in
      </Button>
      <p className="text-center text-sm text-ink-muted">
        New to Fleetline?{' '}
        <Link className="font-medium text-brand-600 hover:underline" href={next ? `${paths.signup}?next=${encodeURIComponent(next)}` : paths.signup}>
          Create an account
        </Link>
      </p>
    </form>
  );
}
