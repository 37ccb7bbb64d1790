'use client';

import { Badge } from '@/components/ui/badge';
import { cn } from '@/lib/cn';
import { relativeTime } from '@/lib/format';
import type { CommandDto } from '../queries';
import type { CommandStatus } from '../schemas';

const STATUS: Record<CommandStatus, { tone: 'neutral' | 'brand' | 'success' | 'warning' | 'danger'; label: string }> = {
  pending: { tone: 'neutral', label: 'Pending' },
  delivered: { tone: 'brand', label: 'Delivered' },
  converged: { tone: 'success', label: 'Converged' },
  timed_out: { tone: 'warning', label: 'Timed out' },
  failed: { tone: 'danger', label: 'Failed' },
};

interface Step {
  label: string;
  at: string | null;
  state: 'done' | 'current' | 'todo' | 'bad';
}

/** pending → delivered → converged, or the way it ended instead (timed out, replaced). */
function stepsOf(c: CommandDto): Step[] {
  const final = c.status === 'timed_out' ? 'Timed out' : c.status === 'failed' ? 'Failed' : 'Converged';
  const ended = c.status === 'converged' || c.status === 'timed_out' || c.status === 'failed';
  return [
    { label: 'Sent', at: c.createdAt, state: 'done' },
    { label: 'Delivered', at: c.deliveredAt, state: c.deliveredAt ? 'done' : c.status === 'pending' ? 'current' : 'todo' },
    {
      label: final,
      at: c.resolvedAt,
      state: c.status === 'converged' ? 'done' : ended ? 'bad' : c.status === 'delivered' ? 'current' : 'todo',
    },
  ];
}

const DOT = {
  done: 'bg-success-500 border-success-500',
  current: 'border-brand-500 bg-surface animate-pulse',
  todo: 'border-line bg-surface',
  bad: 'bg-danger-500 border-danger-500',
} as const;

/** The device's latest commands, newest first, each with its steps and times. */
export function CommandTimeline({ commands, now }: { commands: CommandDto[]; now: string }) {
  if (commands.length === 0) {
    return <p className="text-sm text-ink-muted">No commands sent to this device yet.</p>;
  }
  return (
    <ol className="space-y-3" aria-label="Commands">
      {commands.map((c) => {
        const s = STATUS[c.status];
        return (
          <li key={c.id} className="rounded-md border border-line p-3" data-testid="command" data-status={c.status}>
            <div className="flex flex-wrap items-start justify-between gap-2">
              <code className="min-w-0 flex-1 break-all font-mono text-xs text-ink">{JSON.stringify(c.desired)}</code>
              <Badge tone={s.tone}>{s.label}</Badge>
            </div>
            <ol className="mt-3 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs" aria-label="Progress">
              {stepsOf(c).map((step, i) => (
                <li key={step.label} className="flex items-center gap-2">
                  {i > 0 ? <span className="h-px w-6 bg-line" aria-hidden /> : null}
                  <span className={cn('size-2.5 rounded-full border-2', DOT[step.state])} aria-hidden />
                  <span className={cn(step.state === 'todo' ? 'text-ink-faint' : 'text-ink')}>
                    {step.label}
                    {step.at ? <span className="text-ink-muted"> · {relativeTime(step.at, now)}</span> : null}
                    {step.state === 'current' ? <span className="sr-only"> (waiting)</span> : null}
                  </span>
                </li>
              ))}
            </ol>
            <p className="mt-2 text-xs text-ink-muted">
              {c.shadowName ? `Named shadow ${c.shadowName}` : 'Classic shadow'}
              {c.shadowVersion !== null ? ` · version ${c.shadowVersion}` : ''}
              {c.requestedBy ? ` · by ${c.requestedBy}` : ''}
              {c.status === 'pending' || c.status === 'delivered' ? ` · times out after ${Math.round(c.timeoutSeconds / 60)} min` : ''}
            </p>
            {c.error ? <p className="mt-1 text-xs text-danger-700 dark:text-danger-300">{c.error}</p> : null}
          </li>
        );
      })}
    </ol>
  );
}
