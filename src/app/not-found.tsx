import Link from 'next/link';
import { paths } from '@/lib/paths';

export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-2 px-4 text-center">
      <p className="text-sm font-medium text-brand-600">404</p>
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="max-w-sm text-sm text-ink-muted">This page does not exist, or you are not a member of the organization it belongs to.</p>
      <Link href={paths.home} className="mt-3 text-sm font-medium text-brand-600 hover:underline">
        Back to Fleetline
      </Link>
    </main>
  );
}
