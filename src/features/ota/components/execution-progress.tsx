import { cn } from '@/lib/cn';
import { EXECUTION_STATUS_COLORS, EXECUTION_STATUS_LABELS, EXECUTION_STATUSES, finishedExecutions, totalExecutions, type ExecutionCounts } from '../model';
import { number } from './format';

/** One bar split by execution status (finished statuses first, then running, then queued). */
const ORDER = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED', 'REMOVED', 'CANCELED', 'IN_PROGRESS', 'QUEUED'] as const;

export function ExecutionProgress({ counts, size = 'sm', className }: { counts: ExecutionCounts; size?: 'sm' | 'lg'; className?: string }) {
  const total = totalExecutions(counts);
  const finished = finishedExecutions(counts);
  const parts = EXECUTION_STATUSES.filter((s) => counts[s] > 0).map((s) => `${number.format(counts[s])} ${EXECUTION_STATUS_LABELS[s].toLowerCase()}`);
  const label = total === 0 ? 'No executions yet' : `${number.format(finished)} of ${number.format(total)} finished: ${parts.join(', ')}`;
  return (
    <div className={cn('min-w-0 space-y-1', className)}>
      <div role="img" aria-label={label} title={label} className={cn('flex w-full overflow-hidden rounded-full bg-surface-muted', size === 'lg' ? 'h-3' : 'h-2')}>
        {total > 0
          ? ORDER.filter((s) => counts[s] > 0).map((s) => (
              <span key={s} className="h-full transition-[width] duration-500" style={{ width: `${(counts[s] / total) * 100}%`, backgroundColor: EXECUTION_STATUS_COLORS[s] }} />
            ))
          : null}
      </div>
      <p className="text-xs text-ink-muted tabular-nums" data-testid="progress-label">
        {total === 0 ? 'No executions yet' : `${number.format(finished)} / ${number.format(total)} finished`}
      </p>
    </div>
  );
}
