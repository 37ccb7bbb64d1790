import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { number, relativeTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import type { BulkOperationDto } from '../queries';
import { describeSpec } from '../schemas';

const TONES = { queued: 'neutral', running: 'brand', completed: 'success', cancelled: 'warning', failed: 'danger' } as const;

/** The organization's latest bulk operations. */
export function BulkOperationList({ orgSlug, operations, now }: { orgSlug: string; operations: BulkOperationDto[]; now: string }) {
  if (operations.length === 0) return <p className="text-sm text-ink-muted">No bulk actions yet.</p>;
  return (
    <ul className="divide-y divide-line" aria-label="Recent bulk actions">
      {operations.map((o) => (
        <li key={o.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
          <span className="min-w-0">
            <Link href={paths.bulkOperation(orgSlug, o.id)} className="text-sm text-brand-700 hover:underline dark:text-brand-300">
              {describeSpec({ kind: o.kind, key: o.key, value: o.value })}
            </Link>
            <span className="block text-xs text-ink-muted">
              {number.format(o.total)} devices · {relativeTime(o.createdAt, now)}
              {o.requestedBy ? ` · ${o.requestedBy}` : ''}
            </span>
          </span>
          <span className="inline-flex items-center gap-2 text-xs text-ink-muted">
            {o.failed > 0 ? `${number.format(o.failed)} failed` : null}
            <Badge tone={TONES[o.status]}>{o.status}</Badge>
          </span>
        </li>
      ))}
    </ul>
  );
}
