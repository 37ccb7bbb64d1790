import { SearchIndexCommand, type IoTClient } from '@aws-sdk/client-iot';
import {
  GetThingShadowCommand,
  ListNamedShadowsForThingCommand,
  UpdateThingShadowCommand,
  type IoTDataPlaneClient,
} from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from './server';
import { telemetryValue } from './telemetry';
import { clients, decodeJson, encodeJson, failure, startTestSimulator } from './test-support';

interface Doc {
  state: { desired?: Record<string, unknown>; reported?: Record<string, unknown>; delta?: Record<string, unknown> };
  metadata: { desired?: Record<string, { timestamp: number }>; reported?: Record<string, { timestamp: number }> };
  version: number;
  timestamp: number;
}

const CONVERGENCE_MS = 5_000;
let sim: RunningSimulator;
let iot: IoTClient;
let data: IoTDataPlaneClient;
let online: string[];

async function get(thingName: string, shadowName?: string): Promise<Doc> {
  return decodeJson<Doc>((await data.send(new GetThingShadowCommand({ thingName, shadowName }))).payload);
}

async function update(thingName: string, body: unknown, shadowName?: string): Promise<Doc> {
  return decodeJson<Doc>((await data.send(new UpdateThingShadowCommand({ thingName, shadowName, payload: encodeJson(body) }))).payload);
}

beforeAll(async () => {
  // No dead devices, so every online device is one that can converge.
  sim = await startTestSimulator({ things: 40, seed: 5, behaviour: { convergenceDelayMs: CONVERGENCE_MS, deadFraction: 0 } });
  ({ iot, data } = clients(sim));
  const res = await iot.send(new SearchIndexCommand({ queryString: 'connectivity.connected:true', maxResults: 100 }));
  online = (res.things ?? []).map((t) => t.thingName!);
});
afterAll(() => sim.close());

describe('classic shadow', () => {
  it('reports live device state with second-based metadata timestamps', async () => {
    const thing = online[0]!;
    const doc = await get(thing);
    expect(Object.keys(doc.state.reported ?? {}).sort()).toEqual(['battery', 'connected', 'firmware', 'rssi', 'temperature']);
    expect(doc.state.reported?.connected).toBe(true);
    expect(doc.timestamp).toBe(Math.floor(sim.control.now() / 1000));
    const ts = doc.metadata.reported!.temperature!.timestamp;
    expect(ts).toBeLessThan(1e11);
    // Reported telemetry is the telemetry point of the device's last report.
    expect(doc.state.reported?.temperature).toBe(telemetryValue(thing, 'temperature', ts * 1000));
    expect(doc.state.reported?.battery).toBe(telemetryValue(thing, 'battery', ts * 1000));
    expect(doc.state.desired).toBeUndefined();
    expect(doc.version).toBeGreaterThanOrEqual(1);
  });

  it('evolves with time: online devices keep reporting and the version grows', async () => {
    const thing = online[1]!;
    const before = await get(thing);
    sim.control.advanceTime(30 * 60_000);
    const after = await get(thing);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.timestamp - before.timestamp).toBe(30 * 60);
  });

  it('accepts desired state, shows the delta, and an online device converges after the delay', async () => {
    const thing = online[2]!;
    const writeTime = sim.control.now();
    const current = await get(thing);
    const accepted = await update(thing, { state: { desired: { led: 'on', config: { interval: 60 } } }, version: current.version, clientToken: 'tok-1' });
    expect(accepted).toMatchObject({
      state: { desired: { led: 'on', config: { interval: 60 } } },
      metadata: { desired: { led: { timestamp: Math.floor(writeTime / 1000) }, config: { interval: { timestamp: Math.floor(writeTime / 1000) } } } },
      version: current.version + 1,
      clientToken: 'tok-1',
    });
    const pending = await get(thing);
    expect(pending.state.delta).toEqual({ led: 'on', config: { interval: 60 } });

    // Let simulated time pass until the device has applied it (it may be offline for a while).
    let doc = pending;
    for (let i = 0; i < 200 && doc.state.delta; i++) {
      sim.control.advanceTime(60_000);
      doc = await get(thing);
    }
    expect(doc.state.delta).toBeUndefined();
    expect(doc.state.reported).toMatchObject({ led: 'on', config: { interval: 60 } });
    expect(doc.metadata.reported!.led!.timestamp * 1000).toBeGreaterThanOrEqual(Math.floor((writeTime + CONVERGENCE_MS) / 1000) * 1000);
    expect(doc.state.desired).toEqual({ led: 'on', config: { interval: 60 } });
  });

  it('does not converge before the configured delay', async () => {
    const thing = online[3]!;
    await update(thing, { state: { desired: { mode: 'eco' } } });
    sim.control.advanceTime(CONVERGENCE_MS - 1000);
    expect((await get(thing)).state.delta).toEqual({ mode: 'eco' });
  });

  it('rejects a stale version with ConflictException 409', async () => {
    const thing = online[4]!;
    const { version } = await get(thing);
    await update(thing, { state: { desired: { a: 1 } }, version });
    const err = await failure(update(thing, { state: { desired: { a: 2 } }, version }));
    expect(err.name).toBe('ConflictException');
    expect(err.$metadata.httpStatusCode).toBe(409);
    expect((await get(thing)).state.desired).toEqual({ a: 1 });
  });

  it('deletes keys set to null and the whole section when it is null', async () => {
    const thing = online[5]!;
    await update(thing, { state: { desired: { a: 1, b: { c: 2, d: 3 } } } });
    await update(thing, { state: { desired: { a: null, b: { c: null } } } });
    expect((await get(thing)).state.desired).toEqual({ b: { d: 3 } });
    await update(thing, { state: { desired: null } });
    const doc = await get(thing);
    expect(doc.state.desired).toBeUndefined();
    expect(doc.state.delta).toBeUndefined();
    expect(doc.metadata.desired).toBeUndefined();
  });

  it('enforces the 8 KB state limit with RequestEntityTooLargeException 413', async () => {
    const thing = online[6]!;
    const before = await get(thing);
    const err = await failure(update(thing, { state: { desired: { blob: 'x'.repeat(9000) } } }));
    expect(err.name).toBe('RequestEntityTooLargeException');
    expect(err.$metadata.httpStatusCode).toBe(413);
    // Two halves that fit alone but not together are refused too, and nothing changes.
    await update(thing, { state: { desired: { a: 'x'.repeat(4500) } } });
    const second = await failure(update(thing, { state: { desired: { b: 'y'.repeat(4500) } } }));
    expect(second.$metadata.httpStatusCode).toBe(413);
    const after = await get(thing);
    expect(after.version).toBe(before.version + 1);
    expect(Object.keys(after.state.desired ?? {})).toEqual(['a']);
  });

  it('limits nesting depth to 6 levels', async () => {
    const thing = online[7]!;
    const nest = (levels: number): unknown => (levels === 1 ? { leaf: 1 } : { n: nest(levels - 1) });
    await update(thing, { state: { desired: nest(6) } });
    const err = await failure(update(thing, { state: { desired: nest(7) } }));
    expect(err.name).toBe('InvalidRequestException');
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('rejects malformed documents with InvalidRequestException', async () => {
    const thing = online[8]!;
    for (const payload of ['{not json', '[]', '{"version": 1}', '{"state": {"wanted": {}}}', '{"state": {"desired": 5}}']) {
      const err = await failure(data.send(new UpdateThingShadowCommand({ thingName: thing, payload: new TextEncoder().encode(payload) })));
      expect(err.name, payload).toBe('InvalidRequestException');
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
  });

  it('answers ResourceNotFoundException 404 for unknown things and shadows', async () => {
    const unknownThing = await failure(data.send(new GetThingShadowCommand({ thingName: 'sensor-999999' })));
    expect(unknownThing.name).toBe('ResourceNotFoundException');
    expect(unknownThing.$metadata.httpStatusCode).toBe(404);
    const unknownShadow = await failure(data.send(new GetThingShadowCommand({ thingName: online[0]!, shadowName: 'nope' })));
    expect(unknownShadow.name).toBe('ResourceNotFoundException');
  });
});

describe('named shadows', () => {
  it('has a default config shadow, creates new ones on update and lists them with paging', async () => {
    const thing = online[9]!;
    const config = await get(thing, 'config');
    expect(config.state.reported).toEqual({ reportIntervalSec: 300, logLevel: 'info' });
    expect(config.version).toBe(1);

    const created = await update(thing, { state: { reported: { stage: 'download' } } }, 'ota');
    expect(created.version).toBe(1);
    const ota = await get(thing, 'ota');
    expect(ota.state.reported).toEqual({ stage: 'download' });
    expect(ota.metadata.reported?.stage?.timestamp).toBe(Math.floor(sim.control.now() / 1000));

    const listed: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await data.send(new ListNamedShadowsForThingCommand({ thingName: thing, pageSize: 1, nextToken }));
      listed.push(...(page.results ?? []));
      expect(page.timestamp).toBe(Math.floor(sim.control.now() / 1000));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(listed).toEqual(['config', 'ota']);

    // The classic shadow is independent of the named ones.
    expect((await get(thing)).state.reported).not.toHaveProperty('stage');
    const invalid = await failure(data.send(new GetThingShadowCommand({ thingName: thing, shadowName: 'bad name!' })));
    expect(invalid.name).toBe('InvalidRequestException');
  });
});
