'use client';

import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input } from '@/components/ui/field';
import { paths } from '@/lib/paths';
import { useActionForm } from '@/lib/use-action-form';
import { signUpAction } from '../actions';
import { PASSWORD_MIN_LENGTH } from '../schemas';

export function SignUpForm({ next, email }: { next?: string; email?: string }) {
  const form = useActionForm(signUpAction);
  return (
    <form onSubmit={form.onSubmit} className="space-y-4" noValidate>
      <h1 className="text-lg font-semibold">Create your account</h1>
      {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <Field id="email" label="Email" errors={form.fieldErrors('email')}>
        <Input id="email" name="email" type="email" autoComplete="email" defaultValue={email} required autoFocus invalid={!!form.fieldErrors('email')} />
      </Field>
      <Field id="password" label="Password" hint={`At least ${PASSWORD_MIN_LENGTH} characters.`} errors={form.fieldErrors('password')}>
        <Input id="password" name="password" type="password" autoComplete="new-password" required minLength={PASSWORD_MIN_LENGTH} invalid={!!form.fieldErrors('password')} />
      </Field>
      <Button type="submit" className="w-full" pending={form.pending}>
        Create account
      </Button>
      <p className="text-center text-sm text-ink-muted">
        Already have an account?{' '}
        <Link className="font-medium text-brand-600 hover:underline" href={next ? `${paths.login}?next=${encodeURIComponent(next)}` : paths.login}>
          Sign in
        </Link>
      </p>
    </form>
  );
}
