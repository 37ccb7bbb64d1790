import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/shell/app-shell';
import { loadWorkspace } from '@/features/orgs/workspace';

export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  const workspace = await loadWorkspace(orgSlug);
  const themeCookie = (await cookies()).get('theme')?.value;
  const theme = themeCookie === 'light' || themeCookie === 'dark' ? themeCookie : 'system';
  return (
    <AppShell
      orgSlug={workspace.org.slug}
      orgs={workspace.orgs.map((o) => ({ slug: o.slug, name: o.name, role: o.role }))}
      userEmail={workspace.user.email}
      theme={theme}
    >
      {children}
    </AppShell>
  );
}
