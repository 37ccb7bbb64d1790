import { Card } from '@/components/ui/card';
import { number } from '@/lib/format';
import { filterHref } from '../links';
import type { GroupDistribution } from '../model';
import { CategoryBars } from './category-bars';
import type { ChartRow } from './chart-row';
import { ValuesTable } from './values-table';

/** Devices per thing group (a device in two groups counts in both), the largest groups first. */
export function GroupsCard({ orgSlug, groups, totalDevices }: { orgSlug: string; groups: GroupDistribution; totalDevices: number }) {
  const rows: ChartRow[] = groups.items.map((item) => ({
    key: `item:${item.key}`,
    label: item.label,
    count: item.count,
    href: filterHref(orgSlug, item.filter),
    tone: 'brand',
  }));
  if (groups.ungrouped > 0) rows.push({ key: 'ungrouped', label: 'In no group', count: groups.ungrouped, href: null, tone: 'muted' });
  const more = groups.moreGroups > 0 ? `${number.format(groups.moreGroups)} smaller ${groups.moreGroups === 1 ? 'group is' : 'groups are'} not shown.` : '';
  return (
    <div data-testid="overview-groups">
      <Card className="h-full" title="Devices by group" description="Direct thing-group membership; a device can be in several groups.">
        {rows.length > 0 ? (
          <>
            <CategoryBars rows={rows} total={totalDevices} label="overview-groups" />
            {more ? <p className="mt-2 text-xs text-ink-muted">{more}</p> : null}
            <ValuesTable caption="Devices by group" rows={rows} total={totalDevices} extra={groups.ungrouped > 0 ? '“In no group” has no device-list filter, so it does not link.' : undefined} />
          </>
        ) : (
          <p className="text-sm text-ink-muted">No device belongs to a thing group.</p>
        )}
      </Card>
    </div>
  );
}
