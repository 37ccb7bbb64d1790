'use client';

import Link from 'next/link';
import { useDeferredValue, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input, Select } from '@/components/ui/field';
import { paths } from '@/lib/paths';
import { EXECUTION_STATUS_COLORS, EXECUTION_STATUS_LABELS, EXECUTION_STATUSES, type ExecutionCounts, type ExecutionStatus } from '../model';
import { number, relativeTime } from './format';
import { useOtaExecutions } from './use-ota';

/** The job's executions, one per thing, filtered by status and thing name; pages of 50. */
export function ExecutionsTable({ orgSlug, otaJobId, counts, live, status, onStatusChange, now }: {
  orgSlug: string;
  otaJobId: string;
  counts: ExecutionCounts;
  live: boolean;
  status: ExecutionStatus | undefined;
  onStatusChange: (status: ExecutionStatus | undefined) => void;
  now: string;
}) {
  const [search, setSearch] = useState('');
  const q = useDeferredValue(search.trim());
  const { data, error, isPending, fetchNextPage, hasNextPage, isFetchingNextPage } = useOtaExecutions(orgSlug, otaJobId, { status, q: q || undefined }, live);
  const items = data?.pages.flatMap((p) => p.items) ?? [];
  const total = data?.pages[0]?.total ?? 0;
  return (
    <div className="space-y-3">
      <div className="flex flex-col gap-3 sm:flex-row">
        <div className="sm:w-56">
          <label htmlFor="exec-status" className="sr-only">
            Execution status
          </label>
          <Select id="exec-status" value={status ?? ''} onChange={(e) => onStatusChange((e.target.value || undefined) as ExecutionStatus | undefined)}>
            <option value="">All statuses</option>
            {EXECUTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {EXECUTION_STATUS_LABELS[s]} ({number.format(counts[s])})
              </option>
            ))}
          </Select>
        </div>
        <div className="sm:flex-1">
          <label htmlFor="exec-search" className="sr-only">
            Search thing name
          </label>
          <Input id="exec-search" type="search" placeholder="Search thing name" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
        </div>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-danger-700 dark:text-danger-300">
          {error.message}
        </p>
      ) : null}
      <div className="-mx-5 overflow-x-auto">
        <table className="w-full min-w-[36rem] text-sm" aria-label="Executions" aria-busy={isPending || undefined}>
          <thead className="text-left text-xs text-ink-muted">
            <tr>
              <th className="px-5 py-1 font-medium">Thing</th>
              <th className="py-1 font-medium">Status</th>
              <th className="py-1 font-medium">Queued</th>
              <th className="py-1 font-medium">Started</th>
              <th className="py-1 font-medium">Updated</th>
              <th className="px-5 py-1 text-right font-medium">Retries</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.thingName} className="border-t border-line" data-testid="execution-row">
                <td className="px-5 py-2 font-mono text-xs">
                  {e.deviceId ? (
                    <Link href={paths.device(orgSlug, e.deviceId)} className="text-brand-700 hover:underline dark:text-brand-300">
                      {e.thingName}
                    </Link>
                  ) : (
                    e.thingName
                  )}
                </td>
                <td className="py-2">
                  <Badge>
                    <span className="mr-1.5 inline-block size-2 rounded-full" style={{ backgroundColor: EXECUTION_STATUS_COLORS[e.status] }} aria-hidden />
                    {EXECUTION_STATUS_LABELS[e.status]}
                  </Badge>
                </td>
                <td className="py-2 text-ink-muted" title={e.queuedAt ?? undefined}>{e.queuedAt ? relativeTime(e.queuedAt, now) : '—'}</td>
                <td className="py-2 text-ink-muted" title={e.startedAt ?? undefined}>{e.startedAt ? relativeTime(e.startedAt, now) : '—'}</td>
                <td className="py-2 text-ink-muted" title={e.lastUpdatedAt ?? undefined}>{e.lastUpdatedAt ? relativeTime(e.lastUpdatedAt, now) : '—'}</td>
                <td className="px-5 py-2 text-right tabular-nums">{e.retryAttempt ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {isPending ? <p className="text-sm text-ink-muted">Loading executions…</p> : null}
      {!isPending && items.length === 0 ? (
        <p className="text-sm text-ink-muted">{status || q ? 'No executions match.' : 'No executions yet: they appear once AWS expands the targets.'}</p>
      ) : null}
      <div className="flex items-center justify-between gap-3 text-sm text-ink-muted">
        <span data-testid="executions-shown">
          {items.length > 0 ? `${number.format(items.length)} of ${number.format(total)} shown` : null}
        </span>
        {hasNextPage ? (
          <Button variant="secondary" size="sm" onClick={() => fetchNextPage()} pending={isFetchingNextPage}>
            Show more
          </Button>
        ) : null}
      </div>
    </div>
  );
}
