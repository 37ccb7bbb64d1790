import { JOB_STATUS_LABELS } from '../model';
import type { TimelineEntry } from '../queries';
import { LocalTime } from './local-time';

function text(e: TimelineEntry): { title: string; detail: string | null } {
  const status = (s: string | null) => (s ? (JOB_STATUS_LABELS[s] ?? s) : '');
  const d = e.details as { viaFleetline?: boolean; force?: boolean; reasonCode?: string | null; comment?: string | null };
  switch (e.kind) {
    case 'created':
      return { title: d.viaFleetline ? `Created by ${e.actor ?? 'a member'} in Fleetline` : 'Created in AWS', detail: null };
    case 'first_started':
      return { title: 'First device started the update', detail: null };
    case 'cancel_requested':
      return {
        title: `${d.force ? 'Force-cancel' : 'Cancel'} requested by ${e.actor ?? 'a member'}`,
        detail:
          [d.force ? 'Queued and in-progress executions stop.' : 'Queued executions stop; in-progress ones finish.', d.reasonCode, d.comment].filter(Boolean).join(' · ') || null,
      };
    case 'guard_tripped': {
      // Written by the health guard: which rules tripped and both shares, in words.
      const g = e.details as { summary?: string; rules?: { ruleName: string }[] };
      const names = (g.rules ?? []).map((r) => r.ruleName).join(', ');
      return { title: `Health guard stopped the rollout${names ? ` (${names})` : ''}`, detail: g.summary ?? null };
    }
    case 'status_changed':
      return { title: `Status ${status(e.fromStatus)} → ${status(e.toStatus)}`, detail: d.comment ?? null };
    case 'completed':
      return { title: `AWS marked the job ${status(e.toStatus).toLowerCase()}`, detail: d.comment ?? null };
    case 'last_finished':
      return { title: 'Last execution reached its result', detail: null };
  }
}

/** What happened to the job, as AWS dates it or Fleetline observed it. */
export function JobTimeline({ entries }: { entries: TimelineEntry[] }) {
  if (entries.length === 0) return <p className="text-sm text-ink-muted">Nothing recorded yet.</p>;
  return (
    <ol className="relative space-y-4 border-l border-line pl-5" aria-label="Timeline" data-testid="job-timeline">
      {entries.map((e, i) => {
        const { title, detail } = text(e);
        return (
          <li key={`${e.kind}-${e.at}-${i}`} className="relative">
            <span className="absolute top-1.5 -left-[1.65rem] size-2.5 rounded-full border-2 border-surface bg-brand-500" aria-hidden />
            <p className="text-sm font-medium text-ink">{title}</p>
            <LocalTime iso={e.at} className="block text-xs text-ink-muted" />
            {detail ? <p className="mt-0.5 text-sm text-ink-muted">{detail}</p> : null}
          </li>
        );
      })}
    </ol>
  );
}
