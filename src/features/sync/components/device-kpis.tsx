import type { DeviceKpis as Kpis } from '../queries';
import { number } from './format';

const TILES = [
  { key: 'total', label: 'Devices', tone: 'text-ink' },
  { key: 'online', label: 'Online', tone: 'text-success-700 dark:text-success-300' },
  { key: 'offline', label: 'Offline', tone: 'text-danger-700 dark:text-danger-300' },
  { key: 'stale', label: 'Stale', tone: 'text-warning-700 dark:text-warning-300' },
] as const;

/** Device counts by status (removed devices excluded); `unknown` is shown only when there are any. */
export function DeviceKpis({ kpis }: { kpis: Kpis }) {
  const tiles = kpis.unknown > 0 ? [...TILES, { key: 'unknown', label: 'Unknown', tone: 'text-ink-muted' } as const] : TILES;
  return (
    <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4" aria-label="Devices by status">
      {tiles.map((t) => (
        <div key={t.key} className="rounded-lg border border-line bg-surface px-4 py-3 shadow-xs" data-testid={`kpi-${t.key}`}>
          <dt className="text-xs font-medium text-ink-muted">{t.label}</dt>
          <dd className={`mt-1 text-2xl font-semibold tabular-nums ${t.tone}`}>{number.format(kpis[t.key])}</dd>
        </div>
      ))}
    </dl>
  );
}
