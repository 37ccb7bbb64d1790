import { newestTimestampSeconds } from '@/features/sync/status';

/**
 * A shadow as rows for the side-by-side viewer: one row per leaf path (nested objects flattened to
 * dotted paths, arrays kept whole), with its reported, desired and delta values and the metadata
 * timestamps (epoch seconds) of the reported and desired writes. Browser-safe.
 */
export interface ShadowSections {
  reported: Record<string, unknown> | null;
  desired: Record<string, unknown> | null;
  delta: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
}

export interface ShadowRow {
  path: string;
  reported?: unknown;
  desired?: unknown;
  delta?: unknown;
  reportedAt: number | null;
  desiredAt: number | null;
}

type Section = 'reported' | 'desired' | 'delta';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function flatten(value: Record<string, unknown>, prefix: string[], out: Map<string, { segments: string[]; value: unknown }>) {
  for (const [key, v] of Object.entries(value)) {
    const segments = [...prefix, key];
    if (isObject(v) && Object.keys(v).length > 0) flatten(v, segments, out);
    else out.set(segments.join('.'), { segments, value: v });
  }
}

function metaAt(metadata: unknown, segments: string[]): number | null {
  let node: unknown = metadata;
  for (const s of segments) {
    if (!isObject(node)) return null;
    node = node[s];
  }
  return newestTimestampSeconds(node);
}

export function shadowRows(shadow: ShadowSections): ShadowRow[] {
  const rows = new Map<string, ShadowRow>();
  for (const section of ['reported', 'desired', 'delta'] as Section[]) {
    const value = shadow[section];
    if (!value) continue;
    const leaves = new Map<string, { segments: string[]; value: unknown }>();
    flatten(value, [], leaves);
    for (const [path, leaf] of leaves) {
      const row = rows.get(path) ?? { path, reportedAt: null, desiredAt: null };
      row[section] = leaf.value;
      if (section !== 'delta') row[`${section}At`] = metaAt(shadow.metadata?.[section], leaf.segments);
      rows.set(path, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** A leaf value as the viewer prints it: strings bare, everything else as JSON. */
export function formatLeaf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Epoch seconds (shadow metadata) as ISO, for relativeTime. */
export function secondsToIso(seconds: number | null): string | null {
  return seconds === null ? null : new Date(seconds * 1000).toISOString();
}
