'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, useTransition } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormError } from '@/components/ui/field';
import { number, relativeTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { cancelBulkOperationAction } from '../actions';
import type { BulkItemStatus, BulkOperationReport, BulkStatus } from '../queries';
import { describeSpec } from '../schemas';
import { bulkKeys, useBulkOperation } from './use-bulk-operation';

const STATUS: Record<BulkStatus, { tone: 'neutral' | 'brand' | 'success' | 'warning' | 'danger'; label: string }> = {
  queued: { tone: 'neutral', label: 'Queued' },
  running: { tone: 'brand', label: 'Running' },
  completed: { tone: 'success', label: 'Completed' },
  cancelled: { tone: 'warning', label: 'Cancelled' },
  failed: { tone: 'danger', label: 'Failed' },
};

const ITEM: Record<BulkItemStatus, { tone: 'neutral' | 'success' | 'warning' | 'danger'; label: string }> = {
  pending: { tone: 'neutral', label: 'Pending' },
  succeeded: { tone: 'success', label: 'Succeeded' },
  failed: { tone: 'danger', label: 'Failed' },
  skipped: { tone: 'warning', label: 'Skipped' },
};

/** Progress bar while it runs, then the per-device report; operators may cancel a running one. */
export function BulkOperationProgress({ orgSlug, initialData, canCancel }: { orgSlug: string; initialData: BulkOperationReport; canCancel: boolean }) {
  const queryClient = useQueryClient();
  const { data, error } = useBulkOperation(orgSlug, initialData.id, initialData);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const op = data ?? initialData;
  const done = op.succeeded + op.failed + op.skipped;
  const percent = op.total ? Math.round((done / op.total) * 100) : 0;
  const open = op.status === 'queued' || op.status === 'running';
  const label = `${number.format(done)} of ${number.format(op.total)} devices done`;

  return (
    <div className="space-y-6">
      <Card
        title={describeSpec({ kind: op.kind, key: op.key, value: op.value })}
        description={`Queued ${relativeTime(op.createdAt, op.generatedAt)}${op.requestedBy ? ` by ${op.requestedBy}` : ''}`}
        actions={
          <span data-testid="bulk-status" data-status={op.status}>
            <Badge tone={STATUS[op.status].tone}>{STATUS[op.status].label}</Badge>
          </span>
        }
      >
        <div className="space-y-3">
          <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
            <span className="text-ink">{label}</span>
            <span className="text-xs text-ink-muted">
              {number.format(op.apiCalls)} AWS calls{op.throttled > 0 ? ` · ${number.format(op.throttled)} throttled and retried` : ''}
            </span>
          </div>
          <div
            role="progressbar"
            aria-label="Bulk action progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-valuetext={label}
            className="h-2.5 overflow-hidden rounded-full bg-surface-muted"
          >
            <div className="h-full rounded-full bg-brand-600 transition-[width] duration-500" style={{ width: `${Math.max(percent, op.total ? 1 : 0)}%` }} />
          </div>
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
            {[
              ['Succeeded', op.succeeded, 'succeeded'],
              ['Failed', op.failed, 'failed'],
              ['Skipped', op.skipped, 'skipped'],
              ['Pending', op.pending, 'pending'],
            ].map(([name, n, id]) => (
              <div key={id as string}>
                <dt className="text-xs text-ink-muted">{name}</dt>
                <dd className="tabular-nums text-ink" data-testid={`bulk-${id}`}>{number.format(n as number)}</dd>
              </div>
            ))}
          </dl>
          {error ? <p role="alert" className="text-sm text-danger-700 dark:text-danger-300">{error.message}</p> : null}
          {op.error ? <FormError message={op.error} /> : null}
          {cancelError ? <FormError message={cancelError} /> : null}
          {canCancel && open ? (
            <div className="flex justify-end">
              <Button
                variant="secondary"
                size="sm"
                pending={pending}
                disabled={op.cancelRequested}
                onClick={() =>
                  startTransition(async () => {
                    const result = await cancelBulkOperationAction(orgSlug, { operationId: op.id });
                    setCancelError(result.ok ? null : result.error.message);
                    await queryClient.invalidateQueries({ queryKey: bulkKeys.detail(orgSlug, op.id) });
                  })
                }
              >
                {op.cancelRequested ? 'Cancelling…' : 'Cancel the rest'}
              </Button>
            </div>
          ) : null}
        </div>
      </Card>

      <Card title="Per-device report" description={op.itemsOmitted > 0 ? `Failures first; ${number.format(op.itemsOmitted)} more devices not listed.` : 'Failures first.'}>
        <div className="-mx-5 overflow-x-auto">
          <table className="w-full text-sm" aria-label="Per-device results">
            <thead className="text-left text-xs text-ink-muted">
              <tr>
                <th className="px-5 py-1 font-medium">Device</th>
                <th className="py-1 font-medium">Result</th>
                <th className="px-5 py-1 font-medium">Reason</th>
              </tr>
            </thead>
            <tbody>
              {op.items.map((i) => (
                <tr key={i.deviceId} className="border-t border-line align-top" data-testid="bulk-item" data-status={i.status}>
                  <td className="px-5 py-1.5">
                    <Link href={paths.device(orgSlug, i.deviceId)} className="font-mono text-xs text-brand-700 hover:underline dark:text-brand-300">
                      {i.thingName}
                    </Link>
                  </td>
                  <td className="py-1.5"><Badge tone={ITEM[i.status].tone}>{ITEM[i.status].label}</Badge></td>
                  <td className="px-5 py-1.5 text-xs text-ink-muted">{i.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
