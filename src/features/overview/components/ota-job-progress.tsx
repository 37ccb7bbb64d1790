import { number } from '@/lib/format';
import type { ActiveOtaJob } from '../model';

const SEGMENTS = [
  { key: 'succeeded', label: 'succeeded', className: 'bg-success-500' },
  { key: 'failed', label: 'failed', className: 'bg-danger-500' },
  { key: 'stopped', label: 'canceled or removed', className: 'bg-slate-400 dark:bg-slate-500' },
  { key: 'inProgress', label: 'in progress', className: 'bg-brand-500' },
] as const;

/** One stacked bar per job: finished executions by outcome, then running ones; queued is the empty rest. */
export function OtaJobProgress({ job }: { job: ActiveOtaJob }) {
  const c = job.counts;
  const values = {
    succeeded: c.succeeded,
    failed: c.failed + c.timedOut + c.rejected,
    stopped: c.canceled + c.removed,
    inProgress: c.inProgress,
  };
  const parts = SEGMENTS.map((s) => ({ ...s, value: values[s.key] })).filter((s) => s.value > 0);
  const text = [...parts.map((p) => `${number.format(p.value)} ${p.label}`), `${number.format(c.queued)} queued`].join(', ');
  const summary = job.total === 0 ? 'No executions yet' : `${text} of ${number.format(job.total)}`;
  return (
    <div className="mt-1.5 space-y-1">
      <div role="img" aria-label={summary} className="flex h-2 overflow-hidden rounded-full bg-surface-muted">
        {job.total > 0
          ? parts.map((p) => <div key={p.key} className={p.className} style={{ width: `${(p.value / job.total) * 100}%` }} />)
          : null}
      </div>
      <p className="text-xs tabular-nums text-ink-muted">{summary}</p>
    </div>
  );
}
