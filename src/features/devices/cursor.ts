import { z } from 'zod';
import { DEVICE_STATUSES } from './filters';
import { DEVICE_SORTS, type DeviceSort, type SortDirection } from './list-params';

/**
 * The device list's keyset cursor: the sort it belongs to, which side of the row it points
 * (`a`fter for the next page, `b`efore for the previous one) and the row's sort key
 * (sort value, thing name, id). Opaque to clients: base64url JSON, validated with Zod on the way in.
 */

export type SortValue = string | number | null;

export interface DeviceCursor {
  sort: DeviceSort;
  dir: SortDirection;
  side: 'after' | 'before';
  /** The sort column's value (null in the section of rows without one); absent for the name sort. */
  value?: SortValue;
  thingName: string;
  id: string;
}

const thingName = z.string().min(1).max(128);
// The sort value as the query selected it for the cursor: timestamps as exact UTC text (microseconds).
const VALUE_SCHEMAS: Record<Exclude<DeviceSort, 'name'>, z.ZodType<SortValue>> = {
  status: z.enum(DEVICE_STATUSES),
  lastSeen: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/).nullable(),
  type: z.string().max(128).nullable(),
  firmware: z.string().max(256).nullable(),
  battery: z.number().finite().nullable(),
};

const wireSchema = z.object({
  s: z.enum(DEVICE_SORTS),
  d: z.enum(['asc', 'desc']),
  p: z.enum(['a', 'b']),
  k: z.array(z.unknown()).min(2).max(3),
});

export function encodeCursor(cursor: DeviceCursor): string {
  const k = cursor.sort === 'name' ? [cursor.thingName, cursor.id] : [cursor.value ?? null, cursor.thingName, cursor.id];
  const wire = { s: cursor.sort, d: cursor.dir, p: cursor.side === 'after' ? 'a' : 'b', k };
  return Buffer.from(JSON.stringify(wire)).toString('base64url');
}

/** The cursor, or null when it is malformed or belongs to another sort than the one requested. */
export function decodeCursor(text: string, sort: DeviceSort, dir: SortDirection): DeviceCursor | null {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const wire = wireSchema.safeParse(json);
  if (!wire.success || wire.data.s !== sort || wire.data.d !== dir) return null;
  const side = wire.data.p === 'a' ? 'after' : 'before';
  if (sort === 'name') {
    const keys = z.tuple([thingName, z.uuid()]).safeParse(wire.data.k);
    return keys.success ? { sort, dir, side, thingName: keys.data[0], id: keys.data[1] } : null;
  }
  const keys = z.tuple([VALUE_SCHEMAS[sort], thingName, z.uuid()]).safeParse(wire.data.k);
  return keys.success ? { sort, dir, side, value: keys.data[0], thingName: keys.data[1], id: keys.data[2] } : null;
}
