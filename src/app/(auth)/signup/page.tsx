import type { Metadata } from 'next';
import { SignUpForm } from '@/features/auth/components/sign-up-form';
import { safeNextPath } from '@/lib/paths';

export const metadata: Metadata = { title: 'Create account' };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const next = params.next ? safeNextPath(params.next) : undefined;
  const email = typeof params.email === 'string' && params.email.length <= 254 ? params.email : undefined;
  return <SignUpForm next={next} email={email} />;
}
