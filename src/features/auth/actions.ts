'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { publicAction } from '@/lib/actions';
import { AppError } from '@/lib/errors';
import { paths, safeNextPath } from '@/lib/paths';
import { beginSignIn, limitSignUp } from '@/lib/rate-limit/request';
import { createSupabaseServerClient } from '@/lib/supabase/server';
import { signInSchema, signUpSchema } from './schemas';

const signIn = publicAction('signIn', signInSchema, async ({ log }, input) => {
  const attempt = await beginSignIn(input.email);
  const supabase = await createSupabaseServerClient();
  const { error } = await supabase.auth.signInWithPassword({ email: input.email, password: input.password });
  if (error) {
    if (error.code === 'invalid_credentials') {
      throw new AppError('UNAUTHENTICATED', 'Wrong email or password.', { password: ['Wrong email or password.'] });
    }
    log.warn({ code: error.code, status: error.status }, 'sign-in failed');
    throw new AppError('PRECONDITION', 'Sign-in is unavailable right now. Please try again.');
  }
  await attempt.succeeded();
  return safeNextPath(input.next);
});

export async function signInAction(raw: unknown) {
  const result = await signIn(raw);
  if (result.ok) redirect(result.data);
  return result;
}

const signUp = publicAction('signUp', signUpSchema, async ({ log }, input) => {
  await limitSignUp(input.email);
  const supabase = await createSupabaseServerClient();
  const { data, error } = await supabase.auth.signUp({ email: input.email, password: input.password });
  if (error) {
    if (error.code === 'user_already_exists' || error.code === 'email_exists') {
      throw new AppError('CONFLICT', 'This email is already registered.', {
        email: ['This email is already registered. Sign in instead.'],
      });
    }
    if (error.code === 'weak_password') {
      throw new AppError('PRECONDITION', 'Choose a stronger password.', { password: [error.message] });
    }
    if (error.code === 'email_address_invalid' || error.code === 'validation_failed') {
      throw new AppError('PRECONDITION', 'Enter a valid email address.', { email: [error.message] });
    }
    log.warn({ code: error.code, status: error.status }, 'sign-up failed');
    throw new AppError('PRECONDITION', 'Sign-up is unavailable right now. Please try again.');
  }
  if (!data.session) throw new AppError('PRECONDITION', 'Check your inbox to confirm your email address, then sign in.');
  return safeNextPath(input.next, paths.home);
});

export async function signUpAction(raw: unknown) {
  const result = await signUp(raw);
  if (result.ok) redirect(result.data);
  return result;
}

const signOut = publicAction('signOut', z.unknown(), async () => {
  const supabase = await createSupabaseServerClient();
  const { error } = await supabase.auth.signOut({ scope: 'local' });
  // The local cookies are cleared either way; a server-side failure only leaves a session to expire.
  if (error) throw new AppError('PRECONDITION', 'Signed out on this device; the server could not be reached.');
});

export async function signOutAction() {
  await signOut(undefined);
  redirect(paths.login);
}
