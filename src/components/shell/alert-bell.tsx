'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/lib/cn';
import { paths } from '@/lib/paths';
import { icons } from './icons';

/** Query key of the bell's count; the alerts page invalidates it once it has marked the bell read. */
export const alertBellKey = (orgSlug: string) => ['alerts', orgSlug, 'unread'] as const;

/** Light polling: the count changes at most once per evaluation (after a sync, or once a minute). */
const POLL_MS = 30_000;

/** The shell's bell: firing alerts the member has not seen yet, linking to the alerts page. */
export function AlertBell({ orgSlug, testId = 'alert-bell' }: { orgSlug: string; testId?: string }) {
  const pathname = usePathname();
  const { data } = useQuery({
    queryKey: alertBellKey(orgSlug),
    queryFn: async ({ signal }) => {
      const res = await fetch(paths.alertsUnread(orgSlug), { signal, cache: 'no-store' });
      if (!res.ok) throw new Error(`unread alerts: HTTP ${res.status}`);
      return ((await res.json()) as { count: number }).count;
    },
    refetchInterval: POLL_MS,
    refetchOnWindowFocus: true,
    staleTime: 0,
  });
  const count = data ?? 0;
  const href = paths.alerts(orgSlug);
  return (
    <Link
      href={href}
      aria-label={count > 0 ? `Alerts: ${count} unread` : 'Alerts: none unread'}
      aria-current={pathname === href ? 'page' : undefined}
      data-testid={testId}
      className="relative inline-flex rounded-md p-1.5 text-ink-muted hover:bg-surface-muted hover:text-ink focus-visible:outline-2 focus-visible:outline-brand-600"
    >
      <icons.bell className="size-5" aria-hidden />
      {count > 0 ? (
        <span
          data-testid={`${testId}-count`}
          className={cn('absolute -right-1 -top-1 min-w-4.5 rounded-full bg-danger-600 px-1 text-center text-[0.65rem] font-semibold leading-4.5 text-white')}
        >
          {count > 99 ? '99+' : count}
        </span>
      ) : null}
    </Link>
  );
}
