import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { relativeTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import type { DeviceOtaExecutionDto } from '../queries';

const TONES: Record<string, 'neutral' | 'brand' | 'success' | 'warning' | 'danger'> = {
  QUEUED: 'neutral',
  IN_PROGRESS: 'brand',
  SUCCEEDED: 'success',
  FAILED: 'danger',
  TIMED_OUT: 'warning',
  REJECTED: 'danger',
  REMOVED: 'neutral',
  CANCELED: 'warning',
};

/** This device's executions of OTA jobs, linking to each job. */
export function OtaExecutions({ orgSlug, executions, now }: { orgSlug: string; executions: DeviceOtaExecutionDto[]; now: string }) {
  if (executions.length === 0) return <p className="text-sm text-ink-muted">No OTA job has targeted this device.</p>;
  return (
    <div className="-mx-5 overflow-x-auto">
      <table className="w-full min-w-[30rem] text-sm" aria-label="OTA executions">
        <thead className="text-left text-xs text-ink-muted">
          <tr>
            <th className="px-5 py-1 font-medium">Job</th>
            <th className="py-1 font-medium">This device</th>
            <th className="px-5 py-1 text-right font-medium">Updated</th>
          </tr>
        </thead>
        <tbody>
          {executions.map((e) => (
            <tr key={e.otaJobId} className="border-t border-line align-top" data-testid="ota-execution">
              <td className="px-5 py-2">
                <Link href={paths.otaJob(orgSlug, e.otaJobId)} className="font-mono text-xs text-brand-700 hover:underline dark:text-brand-300">
                  {e.jobId}
                </Link>
                <span className="block text-xs text-ink-muted">Job {e.jobStatus.toLowerCase().replace('_', ' ')}{e.description ? ` · ${e.description}` : ''}</span>
              </td>
              <td className="py-2">
                <Badge tone={TONES[e.status] ?? 'neutral'}>{e.status.replace('_', ' ').toLowerCase()}</Badge>
                {e.retryAttempt ? <span className="ml-2 text-xs text-ink-muted">retry {e.retryAttempt}</span> : null}
              </td>
              <td className="px-5 py-2 text-right text-xs text-ink-muted whitespace-nowrap">{relativeTime(e.lastUpdatedAt ?? e.queuedAt, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
