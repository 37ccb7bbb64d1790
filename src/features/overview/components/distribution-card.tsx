import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { number } from '@/lib/format';
import { devicesHref, filterHref } from '../links';
import type { Distribution } from '../model';
import { CategoryBars } from './category-bars';
import type { ChartRow } from './chart-row';
import { ValuesTable } from './values-table';

interface DistributionCardProps {
  orgSlug: string;
  title: string;
  description: string;
  distribution: Distribution;
  /** Plural noun for the "other" bar: "versions", "types". */
  kinds: string;
  missingLabel: string;
  testId: string;
}

/** Devices by one attribute (firmware, thing type): the top values, "other" and "not set". */
export function DistributionCard({ orgSlug, title, description, distribution, kinds, missingLabel, testId }: DistributionCardProps) {
  const rows: ChartRow[] = distribution.items.map((item) => ({
    key: `item:${item.key}`,
    label: item.label,
    count: item.count,
    href: filterHref(orgSlug, item.filter),
    tone: 'brand',
  }));
  if (distribution.other) {
    rows.push({ key: 'other', label: `Other (${number.format(distribution.other.kinds)} ${kinds})`, count: distribution.other.count, href: null, tone: 'muted' });
  }
  if (distribution.missing > 0) rows.push({ key: 'missing', label: missingLabel, count: distribution.missing, href: null, tone: 'muted' });
  return (
    <div data-testid={testId}>
      <Card
        className="h-full"
        title={title}
        description={description}
        actions={
          <Link href={devicesHref(orgSlug)} className="shrink-0 text-sm text-brand-700 hover:underline dark:text-brand-300">
            Devices
          </Link>
        }
      >
        <CategoryBars rows={rows} total={distribution.total} label={testId} />
        <ValuesTable
          caption={`${title}: devices per value`}
          rows={rows}
          total={distribution.total}
          extra={rows.some((r) => !r.href) ? `“Other” and “${missingLabel}” have no device-list filter, so they do not link.` : undefined}
        />
      </Card>
    </div>
  );
}
