import type { Metadata } from 'next';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { safeNextPath } from '@/lib/paths';

export const metadata: Metadata = { title: 'Sign in' };

const NOTICES: Record<string, string> = {
  session: 'Your session is no longer valid. Please sign in again.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const next = params.next ? safeNextPath(params.next) : undefined;
  return <SignInForm next={next} notice={params.reason ? NOTICES[params.reason] : undefined} />;
}
