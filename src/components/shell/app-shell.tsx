'use client';

import { useState, type ReactNode } from 'react';
import { signOutAction } from '@/features/auth/actions';
import { Logo } from '../logo';
import { AlertBell } from './alert-bell';
import { icons } from './icons';
import { OrgSwitcher, type SwitcherOrg } from './org-switcher';
import { SidebarNav } from './sidebar-nav';
import { ThemeToggle } from './theme-toggle';

interface AppShellProps {
  orgSlug: string;
  orgs: SwitcherOrg[];
  userEmail: string;
  theme: 'system' | 'light' | 'dark';
  children: ReactNode;
}

/** Sidebar on wide screens, a drawer behind a menu button on narrow ones. */
export function AppShell({ orgSlug, orgs, userEmail, theme, children }: AppShellProps) {
  const [open, setOpen] = useState(false);
  const sidebar = (
    <div className="flex h-full flex-col gap-6 p-4">
      <div className="flex items-center justify-between gap-2">
        <Logo />
        <AlertBell orgSlug={orgSlug} />
      </div>
      <OrgSwitcher current={orgSlug} orgs={orgs} />
      <SidebarNav orgSlug={orgSlug} onNavigate={() => setOpen(false)} />
      <div className="mt-auto space-y-2 border-t border-line pt-4">
        <p className="truncate text-xs text-ink-muted" title={userEmail}>
          {userEmail}
        </p>
        <div className="flex items-center justify-between">
          <ThemeToggle initial={theme} />
          <form action={signOutAction}>
            <button type="submit" className="rounded-md px-2 py-1 text-xs font-medium text-ink-muted hover:bg-surface-muted hover:text-ink">
              Sign out
            </button>
          </form>
        </div>
      </div>
    </div>
  );
  return (
    <div className="min-h-dvh lg:grid lg:grid-cols-[15rem_1fr]">
      <aside className="hidden border-r border-line bg-surface lg:block">
        <div className="sticky top-0 h-dvh">{sidebar}</div>
      </aside>
      <header className="flex items-center justify-between border-b border-line bg-surface px-4 py-3 lg:hidden">
        <Logo />
        <div className="flex items-center gap-1">
          <AlertBell orgSlug={orgSlug} testId="alert-bell-mobile" />
          <button type="button" onClick={() => setOpen(true)} aria-label="Open navigation" aria-expanded={open} className="rounded-md p-1.5 text-ink-muted hover:bg-surface-muted">
            <icons.menu className="size-5" />
          </button>
        </div>
      </header>
      {open ? (
        <div className="fixed inset-0 z-40 lg:hidden" role="dialog" aria-modal="true" aria-label="Navigation">
          <div className="absolute inset-0 bg-black/40" onClick={() => setOpen(false)} />
          <div className="absolute inset-y-0 left-0 w-72 bg-surface shadow-xl">
            <button type="button" onClick={() => setOpen(false)} aria-label="Close navigation" className="absolute right-3 top-3 rounded-md p-1.5 text-ink-muted hover:bg-surface-muted">
              <icons.close className="size-5" />
            </button>
            {sidebar}
          </div>
        </div>
      ) : null}
      <main className="min-w-0 px-4 py-6 sm:px-8">{children}</main>
    </div>
  );
}
