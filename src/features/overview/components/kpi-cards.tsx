import Link from 'next/link';
import type { DeviceStatusFilter } from '@/features/devices/filters';
import { number } from '@/lib/format';
import { shareLabel, statusHref } from '../links';
import type { DeviceCounts } from '../model';

interface Tile {
  key: keyof DeviceCounts;
  label: string;
  status?: DeviceStatusFilter;
  tone: string;
  dot: string;
}

const TILES: Tile[] = [
  { key: 'total', label: 'Devices', tone: 'text-ink', dot: 'bg-brand-500' },
  { key: 'online', label: 'Online', status: 'online', tone: 'text-success-700 dark:text-success-300', dot: 'bg-success-500' },
  { key: 'offline', label: 'Offline', status: 'offline', tone: 'text-danger-700 dark:text-danger-300', dot: 'bg-danger-500' },
  { key: 'stale', label: 'Stale', status: 'stale', tone: 'text-warning-700 dark:text-warning-300', dot: 'bg-warning-500' },
];
const UNKNOWN: Tile = { key: 'unknown', label: 'Unknown', status: 'unknown', tone: 'text-ink-muted', dot: 'bg-ink-faint' };

/** Live devices by status; each card opens the device list filtered to that status. Unknown shows only when there are any. */
export function KpiCards({ orgSlug, devices }: { orgSlug: string; devices: DeviceCounts }) {
  const tiles = devices.unknown > 0 ? [...TILES, UNKNOWN] : TILES;
  return (
    <ul className={`grid grid-cols-2 gap-3 sm:gap-4 ${tiles.length === 5 ? 'sm:grid-cols-3 lg:grid-cols-5' : 'sm:grid-cols-4'}`} aria-label="Devices by status">
      {tiles.map((t) => (
        <li key={t.key}>
          <Link
            href={statusHref(orgSlug, t.status)}
            data-testid={`kpi-${t.key}`}
            className="block rounded-lg border border-line bg-surface px-4 py-3 shadow-xs transition-colors hover:border-brand-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 dark:hover:border-brand-600"
          >
            <span className="flex items-center gap-2 text-xs font-medium text-ink-muted">
              <span className={`size-2 rounded-full ${t.dot}`} aria-hidden />
              {t.label}
            </span>
            <span className={`mt-1 block text-2xl font-semibold tabular-nums ${t.tone}`} data-testid="kpi-value">
              {number.format(devices[t.key])}
            </span>
            <span className="block text-xs text-ink-muted">
              {t.status ? `${shareLabel(devices[t.key], devices.total)} of the fleet` : 'live devices'}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
