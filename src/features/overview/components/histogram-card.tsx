import type { ReactNode } from 'react';
import { Card } from '@/components/ui/card';
import { number } from '@/lib/format';
import { filterHref } from '../links';
import type { Histogram, HistogramBucket } from '../model';
import type { ChartRow, ChartTone } from './chart-row';
import { HistogramBars } from './histogram-bars';
import { ValuesTable } from './values-table';

interface HistogramCardProps {
  orgSlug: string;
  title: string;
  description: string;
  histogram: Histogram;
  testId: string;
  shortLabel: (bucket: HistogramBucket, index: number, all: HistogramBucket[]) => string;
  tone: (bucket: HistogramBucket) => ChartTone;
  /** What a bar's link shows when that is not exactly the bucket. */
  linkNote?: (bucket: HistogramBucket) => string;
  actions?: ReactNode;
  footnote?: string;
}

/** A distribution over fixed numeric buckets (battery, signal); devices without a reading are counted apart. */
export function HistogramCard({ orgSlug, title, description, histogram, testId, shortLabel, tone, linkNote, actions, footnote }: HistogramCardProps) {
  const rows: ChartRow[] = histogram.buckets.map((b, i, all) => ({
    key: `${b.from}`,
    label: b.label,
    short: shortLabel(b, i, all),
    count: b.count,
    href: filterHref(orgSlug, b.filter),
    linkNote: b.filter ? linkNote?.(b) : undefined,
    tone: tone(b),
  }));
  const reported = rows.reduce((sum, r) => sum + r.count, 0);
  return (
    <div data-testid={testId}>
      <Card className="h-full" title={title} description={description} actions={actions}>
        {reported > 0 ? (
          <HistogramBars rows={rows} total={reported} label={testId} />
        ) : (
          <p className="text-sm text-ink-muted">No device reports this value.</p>
        )}
        <p className="mt-2 text-xs text-ink-muted">
          {number.format(reported)} reporting{histogram.missing > 0 ? ` · ${number.format(histogram.missing)} not reporting` : ''}
        </p>
        {reported > 0 ? <ValuesTable caption={`${title}: devices per range`} rows={rows} total={reported} extra={footnote} /> : null}
      </Card>
    </div>
  );
}
