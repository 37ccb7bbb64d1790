import { describe, expect, it } from 'vitest';
import type { ObservedThing } from './model';
import { groupsKey, needsWrite, planRow, type CachedDevice } from './writer';

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);

function thing(partial: Partial<ObservedThing> = {}): ObservedThing {
  return {
    thingName: 'sensor-000001',
    thingType: 'env-sensor',
    attributes: { site: 'berlin', model: 'ES-100' },
    groups: ['site-berlin'],
    registryVersion: 3,
    shadow: { reported: { battery: 80 }, desired: null, delta: null, metadata: { reported: { battery: { timestamp: NOW / 1000 - 60 } } }, version: 12 },
    namedShadows: null,
    connectivity: { connected: true, timestampMs: NOW - 3_600_000, disconnectReason: null },
    ...partial,
  };
}

const cachedFrom = (t: ObservedThing): CachedDevice => {
  const p = planRow(t, NOW, undefined);
  return { hash: p.row.sync_hash, shadowVersion: p.row.shadow_version, removed: false, groups: groupsKey(p.row.groups) };
};

describe('skipping unchanged devices', () => {
  it('does not rewrite a thing whose registry, shadow and connectivity are unchanged', () => {
    const cached = cachedFrom(thing());
    const again = planRow(thing({ attributes: { model: 'ES-100', site: 'berlin' } }), NOW, cached);
    expect(needsWrite(again, cached)).toBe(false);
    expect(again.history).toBe(false);
  });

  it.each([
    ['an attribute', { attributes: { site: 'paris', model: 'ES-100' } }],
    ['the thing type', { thingType: 'tracker' }],
    ['a group', { groups: ['site-berlin', 'canary'] }],
    ['the registry version', { registryVersion: 4 }],
    ['connectivity', { connectivity: { connected: false, timestampMs: NOW - 1000, disconnectReason: 'CONNECTION_LOST' } }],
    ['a named shadow', { namedShadows: { config: { reported: { logLevel: 'debug' }, desired: null, delta: null, metadata: null, version: 2 } } }],
  ] as const)('rewrites a thing when %s changes', (_what, change) => {
    const cached = cachedFrom(thing());
    expect(needsWrite(planRow(thing(change as Partial<ObservedThing>), NOW, cached), cached)).toBe(true);
  });

  it('rewrites and records history when the shadow version changes', () => {
    const cached = cachedFrom(thing());
    const next = planRow(thing({ shadow: { reported: { battery: 79 }, desired: null, delta: null, metadata: null, version: 13 } }), NOW, cached);
    expect(needsWrite(next, cached)).toBe(true);
    expect(next.history).toBe(true);
    expect(next.row).toMatchObject({ shadow_version: 13, battery: 79 });
  });

  it('rewrites when only time makes a device stale', () => {
    const cached = cachedFrom(thing());
    const later = planRow(thing(), NOW + 30 * 60_000, cached);
    expect(later.row.status).toBe('stale');
    expect(needsWrite(later, cached)).toBe(true);
    expect(later.history).toBe(false);
  });

  it('writes new things and things that were removed, and records their first shadow version', () => {
    const fresh = planRow(thing(), NOW, undefined);
    expect(needsWrite(fresh, undefined)).toBe(true);
    expect(fresh.history).toBe(true);
    const cached = { ...cachedFrom(thing()), removed: true };
    expect(needsWrite(planRow(thing(), NOW, cached), cached)).toBe(true);
  });

  it('writes only registry columns when the shadow could not be read, and keeps no history', () => {
    const cached = cachedFrom(thing());
    const partial = planRow(thing({ shadow: undefined }), NOW, cached);
    expect(partial.full).toBe(false);
    expect(partial.history).toBe(false);
    expect(partial.row.sync_hash.startsWith('p.')).toBe(true);
    expect(Object.keys(partial.row).sort()).toEqual(['attributes', 'display_name', 'groups', 'registry_version', 'sync_hash', 'thing_name', 'thing_type']);
    expect(needsWrite(partial, cached)).toBe(true);
    expect(needsWrite(planRow(thing({ shadow: undefined }), NOW, { ...cached, hash: partial.row.sync_hash }), { ...cached, hash: partial.row.sync_hash })).toBe(false);
  });

  it('takes the display name from a displayName or name attribute', () => {
    expect(planRow(thing({ attributes: { displayName: 'Boiler room' } }), NOW, undefined).row.display_name).toBe('Boiler room');
    expect(planRow(thing({ attributes: { name: 'Dock 4' } }), NOW, undefined).row.display_name).toBe('Dock 4');
    expect(planRow(thing(), NOW, undefined).row.display_name).toBeNull();
  });

  it('with groups not known yet, keeps the cached groups and compares everything else', () => {
    const cached = cachedFrom(thing());
    const unknown = planRow(thing({ groups: null }), NOW, cached);
    expect(unknown.groupsKnown).toBe(false);
    expect(unknown.row.groups).toEqual(['site-berlin']);
    expect(needsWrite(unknown, cached)).toBe(false);
    // A group change alone is the later membership step's to write, not this one's.
    expect(needsWrite(unknown, { ...cached, groups: groupsKey(['canary']) })).toBe(false);
    expect(needsWrite(planRow(thing({ groups: null, thingType: 'tracker' }), NOW, cached), cached)).toBe(true);
    expect(planRow(thing({ groups: null }), NOW, undefined).row.groups).toEqual([]);
  });

  it('compares groups through one key per membership', () => {
    expect(groupsKey(['canary', 'site-berlin'])).toBe('canary,site-berlin');
    expect(groupsKey([])).toBe('');
    const cached = cachedFrom(thing({ groups: [] }));
    expect(needsWrite(planRow(thing({ groups: [] }), NOW, cached), cached)).toBe(false);
    expect(needsWrite(planRow(thing({ groups: ['site-berlin'] }), NOW, cached), cached)).toBe(true);
  });
});
