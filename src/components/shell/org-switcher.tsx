'use client';

import { useRouter } from 'next/navigation';
import { paths } from '@/lib/paths';
import { ROLE_LABELS, type OrgRole } from '@/lib/roles';

export interface SwitcherOrg {
  slug: string;
  name: string;
  role: OrgRole;
}

/** A native select: keyboard-friendly and accessible without a custom listbox. */
export function OrgSwitcher({ current, orgs }: { current: string; orgs: SwitcherOrg[] }) {
  const router = useRouter();
  return (
    <div>
      <label htmlFor="org-switcher" className="mb-1 block text-xs font-medium uppercase tracking-wide text-ink-faint">
        Organization
      </label>
      <select
        id="org-switcher"
        value={current}
        onChange={(e) => router.push(e.target.value === '__new' ? paths.newOrg : paths.org(e.target.value))}
        className="w-full rounded-md border border-line bg-surface px-2 py-1.5 text-sm font-medium text-ink"
      >
        {orgs.map((org) => (
          <option key={org.slug} value={org.slug}>
            {org.name} · {ROLE_LABELS[org.role]}
          </option>
        ))}
        <option value="__new">+ New organization…</option>
      </select>
    </div>
  );
}
