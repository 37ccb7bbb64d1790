'use client';

import { useRouter } from 'next/navigation';
import { Bar, BarChart, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { number } from '@/lib/format';
import { TONE_CLASSES, type ChartRow } from './chart-row';
import { ChartTooltip } from './chart-tooltip';

const HEIGHT = 180;

/** Vertical bars over ordered buckets (battery, signal); a bar with a link opens the filtered device list. */
export function HistogramBars({ rows, total, label }: { rows: ChartRow[]; total: number; label: string }) {
  const router = useRouter();
  return (
    // The values table below carries the same numbers and links for keyboards and screen readers.
    <div aria-hidden className="text-ink-muted" data-testid={`chart-${label}`}>
      <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={{ width: 400, height: HEIGHT }}>
        <BarChart data={rows} margin={{ top: 8, right: 4, bottom: 0, left: -12 }} accessibilityLayer={false}>
          <XAxis dataKey="short" tickLine={false} axisLine={false} tick={{ fill: 'currentColor', fontSize: 11 }} interval="preserveStartEnd" />
          <YAxis tickLine={false} axisLine={false} width={48} tick={{ fill: 'currentColor', fontSize: 11 }} tickFormatter={(v: number) => number.format(v)} allowDecimals={false} />
          <Tooltip cursor={{ fill: 'currentColor', opacity: 0.08 }} content={(props) => <ChartTooltip active={props.active} payload={props.payload} total={total} />} />
          <Bar
            dataKey="count"
            fill="currentColor"
            radius={[4, 4, 0, 0]}
            isAnimationActive={false}
            onClick={(data) => {
              const row = data.payload as ChartRow | undefined;
              if (row?.href) router.push(row.href);
            }}
          >
            {rows.map((r) => (
              <Cell key={r.key} className={TONE_CLASSES[r.tone]} cursor={r.href ? 'pointer' : 'default'} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
