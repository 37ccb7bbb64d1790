'use client';

import type { SyncRunDto } from '../queries';
import { MODE_LABELS, number, PHASE_LABELS } from './format';

/** The run in progress: phase, things so far and a bar against the previous run's count. */
export function SyncProgress({ run }: { run: SyncRunDto }) {
  const { phase = 'starting', thingsSoFar = 0, pagesDone = 0, expectedThings = null } = run.progress;
  const total = expectedThings ? Math.max(expectedThings, thingsSoFar) : null;
  const percent = total ? Math.min(100, Math.round((thingsSoFar / total) * 100)) : null;
  const label = `${PHASE_LABELS[phase] ?? phase}: ${number.format(thingsSoFar)}${total ? ` of about ${number.format(total)}` : ''} things, ${pagesDone} pages`;
  return (
    <div className="space-y-1.5" data-testid="sync-progress">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-xs text-ink-muted">
        <span>{label}</span>
        <span>{run.mode ? MODE_LABELS[run.mode] : 'Choosing mode…'}</span>
      </div>
      <div
        role="progressbar"
        aria-label="Sync progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={label}
        className="h-2 overflow-hidden rounded-full bg-surface-muted"
      >
        <div
          className={percent === null ? 'h-full w-1/3 animate-pulse rounded-full bg-brand-500' : 'h-full rounded-full bg-brand-600 transition-[width] duration-700'}
          style={percent === null ? undefined : { width: `${Math.max(percent, 2)}%` }}
        />
      </div>
    </div>
  );
}
