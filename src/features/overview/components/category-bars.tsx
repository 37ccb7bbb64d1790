'use client';

import { useRouter } from 'next/navigation';
import { Bar, BarChart, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { number } from '@/lib/format';
import { TONE_CLASSES, type ChartRow } from './chart-row';
import { ChartTooltip } from './chart-tooltip';

const ROW_HEIGHT = 30;

/** Horizontal bars, one per category, largest first; a bar with a link opens the filtered device list. */
export function CategoryBars({ rows, total, label }: { rows: ChartRow[]; total: number; label: string }) {
  const router = useRouter();
  const height = rows.length * ROW_HEIGHT + 10;
  return (
    // The values table below carries the same numbers and links for keyboards and screen readers.
    <div aria-hidden className="text-ink-muted" data-testid={`chart-${label}`}>
      <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 400, height }}>
        <BarChart data={rows} layout="vertical" margin={{ top: 0, right: 56, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <XAxis type="number" hide domain={[0, 'dataMax']} />
          <YAxis
            type="category"
            dataKey="label"
            width={110}
            tickLine={false}
            axisLine={false}
            tick={{ fill: 'currentColor', fontSize: 12 }}
            tickFormatter={(value: string) => (value.length > 16 ? `${value.slice(0, 15)}…` : value)}
          />
          <Tooltip cursor={{ fill: 'currentColor', opacity: 0.08 }} content={(props) => <ChartTooltip active={props.active} payload={props.payload} total={total} />} />
          <Bar
            dataKey="count"
            fill="currentColor"
            radius={[0, 4, 4, 0]}
            maxBarSize={20}
            isAnimationActive={false}
            onClick={(data) => {
              const row = data.payload as ChartRow | undefined;
              if (row?.href) router.push(row.href);
            }}
          >
            {rows.map((r) => (
              <Cell key={r.key} className={TONE_CLASSES[r.tone]} cursor={r.href ? 'pointer' : 'default'} />
            ))}
            <LabelList dataKey="count" position="right" className="fill-ink text-xs tabular-nums" formatter={(v) => number.format(Number(v))} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
