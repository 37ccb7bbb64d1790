import type { ReactNode } from 'react';
import { PageHeader } from './page-header';
import { icons, type IconName } from './shell/icons';
import { EmptyState } from './ui/empty-state';

/** A workspace section that has nothing to show yet: what will be here and how it gets filled. */
export function SectionPlaceholder({ title, description, icon, emptyTitle, children }: {
  title: string;
  description: string;
  icon: IconName;
  emptyTitle: string;
  children: ReactNode;
}) {
  const Icon = icons[icon];
  return (
    <>
      <PageHeader title={title} description={description} />
      <EmptyState icon={<Icon className="size-10" />} title={emptyTitle}>
        {children}
      </EmptyState>
    </>
  );
}
