import { describe, expect, it } from 'vitest';
import { CommandTracker, containsDesired, resolveCommand, type OpenCommand } from './commands';
import type { ObservedThing, ShadowState } from './model';

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);

const cmd = (partial: Partial<OpenCommand> = {}): OpenCommand => ({
  id: 'c1',
  thingName: 'sensor-000001',
  shadowName: null,
  desired: { ledColor: 'blue', config: { rate: 5 } },
  status: 'pending',
  createdAtMs: NOW - 60_000,
  timeoutSeconds: 600,
  ...partial,
});

const shadow = (reported: Record<string, unknown> | null, desired: Record<string, unknown> | null): ShadowState => ({
  reported,
  desired,
  delta: null,
  metadata: null,
  version: 3,
});

describe('containsDesired', () => {
  it('matches nested values and treats null as "absent"', () => {
    expect(containsDesired({ a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'x', d: 2 }, e: 3 })).toBe(true);
    expect(containsDesired({ a: 1 }, { a: 2 })).toBe(false);
    expect(containsDesired({ b: { c: 'x' } }, { b: 'x' })).toBe(false);
    expect(containsDesired({ gone: null }, { other: 1 })).toBe(true);
    expect(containsDesired({ gone: null }, { gone: 1 })).toBe(false);
    expect(containsDesired({ list: [1, 2] }, { list: [1, 2] })).toBe(true);
    expect(containsDesired({ a: 1 }, null)).toBe(false);
  });
});

describe('resolveCommand', () => {
  it('converges once reported state holds the desired values', () => {
    const s = shadow({ ledColor: 'blue', config: { rate: 5, mode: 'x' } }, { ledColor: 'blue', config: { rate: 5 } });
    expect(resolveCommand(cmd(), s, true, NOW)).toEqual({ id: 'c1', status: 'converged', error: null });
    // Also after the device cleared desired once it applied it.
    expect(resolveCommand(cmd(), shadow({ ledColor: 'blue', config: { rate: 5 } }, null), false, NOW)?.status).toBe('converged');
  });

  it('is delivered while the device is connected but has not applied it yet', () => {
    const waiting = shadow({ ledColor: 'red' }, { ledColor: 'blue', config: { rate: 5 } });
    expect(resolveCommand(cmd(), waiting, true, NOW)).toEqual({ id: 'c1', status: 'delivered', error: null });
    expect(resolveCommand(cmd({ status: 'delivered' }), waiting, true, NOW)).toBeNull();
    expect(resolveCommand(cmd(), waiting, false, NOW)).toBeNull();
    expect(resolveCommand(cmd(), waiting, null, NOW)).toBeNull();
  });

  it('fails when the desired values were replaced before the device applied them', () => {
    const replaced = shadow({ ledColor: 'red' }, { ledColor: 'green', config: { rate: 5 } });
    expect(resolveCommand(cmd(), replaced, true, NOW)).toMatchObject({ status: 'failed', error: expect.stringContaining('replaced') });
  });

  it('times out after its timeout, also for devices the sync did not see', () => {
    const old = cmd({ createdAtMs: NOW - 601_000 });
    expect(resolveCommand(old, shadow({ ledColor: 'red' }, { ledColor: 'blue', config: { rate: 5 } }), false, NOW)).toMatchObject({ status: 'timed_out' });
    expect(resolveCommand(old, undefined, null, NOW)).toMatchObject({ status: 'timed_out', error: 'The device did not report the desired state within 600 s.' });
    expect(resolveCommand(cmd(), undefined, null, NOW)).toBeNull();
  });
});

describe('CommandTracker', () => {
  const thing = (partial: Partial<ObservedThing>): ObservedThing => ({
    thingName: 'sensor-000001',
    thingType: null,
    attributes: {},
    groups: [],
    registryVersion: null,
    shadow: null,
    namedShadows: null,
    connectivity: null,
    ...partial,
  });

  it('looks at the shadow the command wrote to, once per run, and times out the rest at the end', () => {
    const tracker = new CommandTracker(
      [
        cmd({ id: 'classic', desired: { ledColor: 'blue' } }),
        cmd({ id: 'named', shadowName: 'config', desired: { logLevel: 'debug' } }),
        cmd({ id: 'elsewhere', thingName: 'sensor-000002', createdAtMs: NOW - 3_600_000, desired: { x: 1 } }),
      ],
      () => NOW,
    );
    expect(tracker.openCount).toBe(3);
    const observed = thing({
      shadow: shadow({ ledColor: 'blue' }, { ledColor: 'blue' }),
      namedShadows: { config: shadow({ logLevel: 'info' }, { logLevel: 'debug' }) },
    });
    expect(tracker.observe(observed, { connected: true })).toEqual([
      { id: 'classic', status: 'converged', error: null },
      { id: 'named', status: 'delivered', error: null },
    ]);
    expect(tracker.observe(observed, { connected: true })).toEqual([]);
    expect(tracker.unobserved()).toEqual([{ id: 'elsewhere', status: 'timed_out', error: expect.any(String) }]);
    expect(tracker.openCount).toBe(0);
  });

  it('leaves a named-shadow command alone when the run could not see named shadows', () => {
    const tracker = new CommandTracker([cmd({ id: 'named', shadowName: 'config', desired: { logLevel: 'debug' } })], () => NOW);
    expect(tracker.observe(thing({ namedShadows: null }), { connected: false })).toEqual([]);
  });
});
