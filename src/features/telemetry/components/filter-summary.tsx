import Link from 'next/link';
import { deviceFilterQuery, isEmptyDeviceFilter, type DeviceFilter } from '@/features/devices/filters';
import { paths } from '@/lib/paths';

function chips(filter: DeviceFilter, integrationNames: Record<string, string>): string[] {
  const out: string[] = [];
  if (filter.q) out.push(`Search “${filter.q}”`);
  if (filter.status) out.push(`Status ${filter.status.join(', ')}`);
  if (filter.type) out.push(`Type ${filter.type}`);
  if (filter.group) out.push(`Group ${filter.group}`);
  if (filter.firmware) out.push(`Firmware ${filter.firmware}`);
  if (filter.integration) out.push(`Integration ${integrationNames[filter.integration] ?? 'unknown'}`);
  for (const { key, value } of filter.attr ?? []) out.push(`${key} = ${value}`);
  if (filter.batteryBelow !== undefined) out.push(`Battery below ${filter.batteryBelow}%`);
  return out;
}

/** The device filter the fleet chart uses, with links to change it in the device list or clear it. */
export function FilterSummary({ orgSlug, filter, invalid, integrationNames }: {
  orgSlug: string;
  filter: DeviceFilter;
  invalid: string[];
  integrationNames: Record<string, string>;
}) {
  const items = chips(filter, integrationNames);
  return (
    <div className="mb-4 space-y-2">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="text-ink-muted">Devices:</span>
        {items.length === 0 ? (
          <span className="font-medium text-ink">all devices</span>
        ) : (
          <ul className="flex flex-wrap gap-1.5" aria-label="Active filters">
            {items.map((item) => (
              <li key={item} className="rounded-full bg-surface-muted px-2.5 py-0.5 text-xs font-medium text-ink ring-1 ring-line ring-inset">
                {item}
              </li>
            ))}
          </ul>
        )}
        <Link href={paths.devices(orgSlug, deviceFilterQuery(filter))} className="text-brand-700 underline-offset-2 hover:underline dark:text-brand-300">
          Change filter in the device list
        </Link>
        {!isEmptyDeviceFilter(filter) ? (
          <Link href={paths.telemetry(orgSlug)} className="text-ink-muted underline-offset-2 hover:underline">
            Clear
          </Link>
        ) : null}
      </div>
      {invalid.length > 0 ? (
        <p role="note" className="text-sm text-warning-700 dark:text-warning-300">
          Ignored invalid filter {invalid.length === 1 ? 'parameter' : 'parameters'}: {invalid.join(', ')}.
        </p>
      ) : null}
    </div>
  );
}
