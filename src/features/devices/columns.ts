import type { DeviceSort } from './list-params';

/**
 * The device table's optional columns (the name is always shown). The chosen set lives in a cookie,
 * so the server renders the table the user configured, without a flash. Safe in the browser.
 */
export const DEVICE_COLUMNS = ['status', 'lastSeen', 'type', 'groups', 'firmware', 'battery', 'rssi', 'integration'] as const;
export type DeviceColumn = (typeof DEVICE_COLUMNS)[number];

export const COLUMN_LABELS: Record<DeviceColumn, string> = {
  status: 'Status',
  lastSeen: 'Last seen',
  type: 'Thing type',
  groups: 'Groups',
  firmware: 'Firmware',
  battery: 'Battery',
  rssi: 'Signal (RSSI)',
  integration: 'AWS account',
};

/** The sort a column header toggles, when it has one. */
export const COLUMN_SORTS: Partial<Record<DeviceColumn, DeviceSort>> = {
  status: 'status',
  lastSeen: 'lastSeen',
  type: 'type',
  firmware: 'firmware',
  battery: 'battery',
};

export const DEFAULT_COLUMNS: DeviceColumn[] = ['status', 'lastSeen', 'type', 'groups', 'firmware', 'battery'];
export const COLUMNS_COOKIE = 'fl_device_columns';

/** The cookie's columns in table order; unknown names are ignored, a missing cookie gives the defaults. */
export function parseColumns(value: string | undefined): DeviceColumn[] {
  if (value === undefined) return DEFAULT_COLUMNS;
  const chosen = new Set(value.split('.'));
  return DEVICE_COLUMNS.filter((c) => chosen.has(c));
}

export function serializeColumns(columns: DeviceColumn[]): string {
  return DEVICE_COLUMNS.filter((c) => columns.includes(c)).join('.');
}
