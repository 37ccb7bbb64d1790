'use client';

import { Cell, Pie, PieChart, Tooltip } from 'recharts';
import { EXECUTION_STATUS_COLORS, EXECUTION_STATUS_LABELS, EXECUTION_STATUSES, totalExecutions, type ExecutionCounts, type ExecutionStatus } from '../model';
import { number } from './format';

/**
 * Executions by status: a donut for the shape, a legend with every number (the numbers are the
 * accessible version of the chart, so the chart itself is hidden from screen readers).
 */
export function ExecutionCountsChart({ counts, onSelect }: { counts: ExecutionCounts; onSelect?: (status: ExecutionStatus) => void }) {
  const total = totalExecutions(counts);
  const data = EXECUTION_STATUSES.filter((s) => counts[s] > 0).map((s) => ({ status: s, name: EXECUTION_STATUS_LABELS[s], value: counts[s] }));
  return (
    <div className="flex flex-col items-center gap-6 sm:flex-row sm:items-start">
      <div className="relative size-44 shrink-0" aria-hidden>
        {total > 0 ? (
          <PieChart width={176} height={176}>
            <Pie data={data} dataKey="value" nameKey="name" innerRadius={56} outerRadius={84} paddingAngle={data.length > 1 ? 1 : 0} stroke="none" isAnimationActive={false}>
              {data.map((d) => (
                <Cell key={d.status} fill={EXECUTION_STATUS_COLORS[d.status]} />
              ))}
            </Pie>
            <Tooltip formatter={(value) => number.format(Number(value))} />
          </PieChart>
        ) : (
          <div className="size-44 rounded-full border-[28px] border-surface-muted" />
        )}
        <div className="pointer-events-none absolute inset-0 flex flex-col items-center justify-center">
          <span className="text-2xl font-semibold tabular-nums text-ink">{number.format(total)}</span>
          <span className="text-xs text-ink-muted">things</span>
        </div>
      </div>
      <dl className="grid w-full grid-cols-2 gap-x-6 gap-y-2 text-sm" aria-label="Executions by status">
        {EXECUTION_STATUSES.map((s) => (
          <div key={s} className="flex items-center justify-between gap-3" data-testid={`count-${s}`}>
            <dt className="flex items-center gap-2 text-ink-muted">
              <span className="size-2.5 shrink-0 rounded-sm" style={{ backgroundColor: EXECUTION_STATUS_COLORS[s] }} aria-hidden />
              {onSelect && counts[s] > 0 ? (
                <button type="button" onClick={() => onSelect(s)} className="hover:text-ink hover:underline">
                  {EXECUTION_STATUS_LABELS[s]}
                </button>
              ) : (
                EXECUTION_STATUS_LABELS[s]
              )}
            </dt>
            <dd className={counts[s] > 0 ? 'font-semibold tabular-nums text-ink' : 'tabular-nums text-ink-faint'}>{number.format(counts[s])}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
