import Link from 'next/link';
import { number, relativeTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { cn } from '@/lib/cn';
import { COLUMN_LABELS, COLUMN_SORTS, type DeviceColumn } from '../columns';
import { defaultDirection, deviceListQuery, type DeviceListParams } from '../list-params';
import type { DeviceListItem } from '../queries';
import { DeviceStatusBadge } from './device-status-badge';

interface DeviceTableProps {
  orgSlug: string;
  items: DeviceListItem[];
  columns: DeviceColumn[];
  params: DeviceListParams;
  nowIso: string;
}

function battery(value: number | null) {
  if (value === null) return <span className="text-ink-faint">—</span>;
  const low = value < 20;
  return <span className={cn('tabular-nums', low && 'font-medium text-danger-700 dark:text-danger-300')}>{number.format(Math.round(value))}%</span>;
}

function cell(column: DeviceColumn, d: DeviceListItem, nowIso: string) {
  const none = <span className="text-ink-faint">—</span>;
  switch (column) {
    case 'status':
      return <DeviceStatusBadge status={d.status} />;
    case 'lastSeen':
      return d.lastSeenAt ? <time dateTime={d.lastSeenAt} title={d.lastSeenAt}>{relativeTime(d.lastSeenAt, nowIso)}</time> : <span className="text-ink-faint">never</span>;
    case 'type':
      return d.thingType ?? none;
    case 'groups':
      return d.groups.length ? <span className="break-words">{d.groups.join(', ')}</span> : none;
    case 'firmware':
      return d.firmwareVersion ? <span className="font-mono text-xs">{d.firmwareVersion}</span> : none;
    case 'battery':
      return battery(d.battery);
    case 'rssi':
      return d.rssi === null ? none : <span className="tabular-nums">{Math.round(d.rssi)} dBm</span>;
    case 'integration':
      return d.integrationName ?? none;
  }
}

/** Sortable header: a link to the same list sorted by this column (direction toggles when already sorted by it). */
function SortHeader({ orgSlug, params, column }: { orgSlug: string; params: DeviceListParams; column: DeviceColumn }) {
  const sort = COLUMN_SORTS[column];
  if (!sort) return <>{COLUMN_LABELS[column]}</>;
  const active = params.sort === sort;
  const dir = active ? (params.dir === 'asc' ? 'desc' : 'asc') : defaultDirection(sort);
  return (
    <Link href={paths.devices(orgSlug, deviceListQuery({ filter: params.filter, sort, dir }))} className="inline-flex items-center gap-1 hover:text-ink">
      {COLUMN_LABELS[column]}
      <span aria-hidden className={active ? 'text-ink' : 'text-transparent'}>{active && params.dir === 'desc' ? '↓' : '↑'}</span>
    </Link>
  );
}

function ariaSort(params: DeviceListParams, column: DeviceColumn | 'name'): 'ascending' | 'descending' | undefined {
  const sort = column === 'name' ? 'name' : COLUMN_SORTS[column];
  if (!sort || params.sort !== sort) return undefined;
  return params.dir === 'asc' ? 'ascending' : 'descending';
}

/** One page of devices: a table on wide screens, stacked cards on narrow ones. */
export function DeviceTable({ orgSlug, items, columns, params, nowIso }: DeviceTableProps) {
  return (
    <div className="overflow-x-auto rounded-lg border border-line bg-surface shadow-xs">
      <table className="w-full text-left text-sm" aria-label="Devices">
        <thead className="hidden border-b border-line bg-surface-muted text-xs uppercase tracking-wide text-ink-muted md:table-header-group">
          <tr>
            <th scope="col" className="px-4 py-2.5 font-medium" aria-sort={ariaSort(params, 'name')}>
              <Link
                href={paths.devices(orgSlug, deviceListQuery({ filter: params.filter, sort: 'name', dir: params.sort === 'name' && params.dir === 'asc' ? 'desc' : 'asc' }))}
                className="inline-flex items-center gap-1 hover:text-ink"
              >
                Name
                <span aria-hidden className={params.sort === 'name' ? 'text-ink' : 'text-transparent'}>{params.sort === 'name' && params.dir === 'desc' ? '↓' : '↑'}</span>
              </Link>
            </th>
            {columns.map((c) => (
              <th key={c} scope="col" className="px-4 py-2.5 font-medium whitespace-nowrap" aria-sort={ariaSort(params, c)}>
                <SortHeader orgSlug={orgSlug} params={params} column={c} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {items.map((d) => (
            <tr key={d.id} data-testid="device-row" className="grid grid-cols-2 gap-x-4 gap-y-1 px-4 py-3 md:table-row md:p-0">
              <td className="col-span-2 md:px-4 md:py-2.5">
                <Link href={paths.device(orgSlug, d.id)} className="font-medium text-brand-700 hover:underline dark:text-brand-300" data-testid="device-name">
                  {d.thingName}
                </Link>
                {d.displayName ? <p className="truncate text-xs text-ink-muted">{d.displayName}</p> : null}
              </td>
              {columns.map((c) => (
                <td key={c} className="text-ink-muted md:px-4 md:py-2.5 md:whitespace-nowrap" data-column={c}>
                  <span className="mr-1 text-xs text-ink-faint md:hidden">{COLUMN_LABELS[c]}:</span>
                  {cell(c, d, nowIso)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
