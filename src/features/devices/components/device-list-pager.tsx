import Link from 'next/link';
import { paths } from '@/lib/paths';
import { deviceListQuery, type DeviceListParams } from '../list-params';

const linkClass = 'rounded-md border border-line bg-surface px-3 py-1.5 text-sm font-medium text-ink hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600';
const disabledClass = 'rounded-md border border-line px-3 py-1.5 text-sm text-ink-faint';

/** Previous / next page links (keyset cursors; the filter and sort carry over). */
export function DeviceListPager({ orgSlug, params, prevCursor, nextCursor }: { orgSlug: string; params: DeviceListParams; prevCursor: string | null; nextCursor: string | null }) {
  if (!prevCursor && !nextCursor) return null;
  const href = (cursor: string) => paths.devices(orgSlug, deviceListQuery({ ...params, cursor }));
  return (
    <nav aria-label="Pages" className="flex items-center justify-end gap-2">
      {prevCursor ? <Link href={href(prevCursor)} className={linkClass} rel="prev">← Previous</Link> : <span className={disabledClass} aria-disabled="true">← Previous</span>}
      {nextCursor ? <Link href={href(nextCursor)} className={linkClass} rel="next">Next →</Link> : <span className={disabledClass} aria-disabled="true">Next →</span>}
    </nav>
  );
}
