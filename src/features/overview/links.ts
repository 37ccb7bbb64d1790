import { deviceFilterQuery, type DeviceFilter, type DeviceStatusFilter } from '@/features/devices/filters';
import { paths } from '@/lib/paths';

/** Every overview number links to the device list with the filter that shows exactly those devices. */
export function devicesHref(orgSlug: string, filter: DeviceFilter = {}): string {
  return paths.devices(orgSlug, deviceFilterQuery(filter));
}

export function statusHref(orgSlug: string, status?: DeviceStatusFilter): string {
  return devicesHref(orgSlug, status ? { status: [status] } : {});
}

/** A link only where the device list has a filter for it (e.g. not for signal ranges or "other"). */
export function filterHref(orgSlug: string, filter: DeviceFilter | null): string | null {
  return filter ? devicesHref(orgSlug, filter) : null;
}

/** Share of a total for display: "42 %", never "0 %" for some devices or "100 %" for not quite all. */
export function shareLabel(count: number, total: number): string {
  if (total <= 0 || count <= 0) return '0 %';
  const share = Math.round((count / total) * 100);
  if (share === 0) return '<1 %';
  if (share === 100 && count < total) return '>99 %';
  return `${share} %`;
}
