'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/lib/cn';
import { paths } from '@/lib/paths';
import { icons, type IconName } from './icons';

const ITEMS: Array<{ label: string; icon: IconName; href: (slug: string) => string }> = [
  { label: 'Overview', icon: 'overview', href: paths.org },
  { label: 'Devices', icon: 'devices', href: paths.devices },
  { label: 'Telemetry', icon: 'telemetry', href: paths.telemetry },
  { label: 'OTA jobs', icon: 'ota', href: paths.otaJobs },
  { label: 'Alerts', icon: 'bell', href: (slug) => paths.alerts(slug) },
  { label: 'Integrations', icon: 'integrations', href: paths.integrations },
  { label: 'Members', icon: 'members', href: paths.members },
  { label: 'Settings', icon: 'settings', href: paths.settings },
];

export function SidebarNav({ orgSlug, onNavigate }: { orgSlug: string; onNavigate?: () => void }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Workspace" className="flex flex-col gap-0.5">
      {ITEMS.map((item) => {
        const href = item.href(orgSlug);
        const active = href === paths.org(orgSlug) ? pathname === href : pathname.startsWith(href);
        const Icon = icons[item.icon];
        return (
          <Link
            key={item.label}
            href={href}
            onClick={onNavigate}
            aria-current={active ? 'page' : undefined}
            className={cn(
              'flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors',
              active ? 'bg-brand-50 text-brand-700 dark:bg-brand-950 dark:text-brand-300' : 'text-ink-muted hover:bg-surface-muted hover:text-ink',
            )}
          >
            <Icon className="size-4.5 shrink-0" aria-hidden />
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
