import { CreateJobCommand, DescribeJobExecutionCommand, SearchIndexCommand, type IoTClient, type ThingDocument } from '@aws-sdk/client-iot';
import { GetThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { QueryCommand, type TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_REGION, type TelemetryMeasure } from './config';
import type { RunningSimulator } from './server';
import { telemetryValue } from './telemetry';
import { clients, decodeJson, startTestSimulator } from './test-support';

interface Doc {
  state: { reported: { connected: boolean; battery: number; rssi: number; temperature: number } };
  metadata: { reported: Record<string, { timestamp: number }> };
  version: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const TABLE = '"fleetline_demo"."telemetry"';
let sim: RunningSimulator;
let iot: IoTClient;
let data: IoTDataPlaneClient;
let ts: TimestreamQueryClient;
/** Things that stay online on their own for the whole test day, so every offline moment is the control's. */
let quiet: string[];

async function admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}
const devices = (action: string, body: unknown) => admin<{ thingNames: string[]; atMs: number }>('POST', `/accounts/${DEMO_ACCOUNT_ID}/devices/${action}`, body);

async function shadow(thingName: string): Promise<Doc> {
  return decodeJson<Doc>((await data.send(new GetThingShadowCommand({ thingName }))).payload);
}

async function indexed(queryString: string): Promise<ThingDocument[]> {
  return (await iot.send(new SearchIndexCommand({ queryString, maxResults: 100 }))).things ?? [];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** min, max, avg and count of one thing's measure over [from, to) through a real Timestream Query. */
async function stats(thing: string, measure: TelemetryMeasure, from: number, to: number) {
  const res = await ts.send(
    new QueryCommand({
      QueryString:
        `SELECT min(measure_value::double), max(measure_value::double), avg(measure_value::double), count(*) FROM ${TABLE} ` +
        `WHERE thing_name = '${thing}' AND measure_name = '${measure}' ` +
        `AND time >= from_iso8601_timestamp('${iso(from)}') AND time < from_iso8601_timestamp('${iso(to)}')`,
    }),
  );
  const cells = (res.Rows?.[0]?.Data ?? []).map((d) => Number(d.ScalarValue));
  return { min: cells[0], max: cells[1], avg: cells[2], count: cells[3] };
}

/** The same aggregates computed from a per-point value function. */
function expectedStats(value: (t: number) => number, from: number, to: number) {
  const values: number[] = [];
  for (let t = from; t < to; t += MIN) values.push(value(t));
  return { min: Math.min(...values), max: Math.max(...values), avg: values.reduce((a, b) => a + b, 0) / values.length, count: values.length };
}

function expectStats(actual: Awaited<ReturnType<typeof stats>>, expected: ReturnType<typeof expectedStats>) {
  expect(actual.count).toBe(expected.count);
  expect(actual.min).toBeCloseTo(expected.min, 6);
  expect(actual.max).toBeCloseTo(expected.max, 6);
  expect(actual.avg).toBeCloseTo(expected.avg, 6);
}

const natural = (thing: string, measure: TelemetryMeasure) => (t: number) => telemetryValue(thing, measure, t);

beforeAll(async () => {
  sim = await startTestSimulator({ things: 60, seed: 5 });
  ({ iot, data, timestream: ts } = clients(sim));
  // Chosen before any control exists: the natural model alone decides who stays online all day.
  const fleet = sim.control.account(DEMO_ACCOUNT_ID, DEMO_REGION).fleet;
  const start = sim.control.now();
  quiet = [];
  for (let i = 0; i < fleet.count; i++) {
    let online = true;
    for (let t = start; t <= start + 24 * HOUR && online; t += MIN) online = fleet.connectivityAt(i, t).connected;
    if (online) quiet.push(fleet.name(i));
  }
  expect(quiet.length).toBeGreaterThanOrEqual(13);
});
afterAll(() => sim.close());

describe('taking devices offline', () => {
  it('disconnects a device (reason, frozen last-seen, no more reports) and brings it back', async () => {
    const [thing, neighbour] = [quiet[0]!, quiet[1]!];
    const before = await shadow(thing);
    const neighbourBefore = await shadow(neighbour);
    const down = await devices('offline', { thingNames: [thing], reason: 'MQTT_KEEP_ALIVE_TIMEOUT' });
    expect(down.status).toBe(200);
    expect(down.json).toEqual({ thingNames: [thing], atMs: sim.control.now() });
    const t0 = down.json.atMs;
    // Already held offline: a second call changes nothing.
    expect((await devices('offline', { thingNames: [thing] })).json.thingNames).toEqual([]);

    sim.control.advanceTime(30 * MIN);
    const off = await shadow(thing);
    expect(off.state.reported.connected).toBe(false);
    expect(off.metadata.reported.connected!.timestamp).toBe(Math.floor(t0 / 1000));
    // The device's only write since is the disconnect itself; its telemetry is that of the last report.
    expect(off.version).toBe(before.version + 1);
    const lastReport = off.metadata.reported.temperature!.timestamp * 1000;
    expect(lastReport).toBeLessThanOrEqual(t0);
    expect(off.state.reported.temperature).toBe(telemetryValue(thing, 'temperature', lastReport));
    expect((await shadow(neighbour)).version).toBeGreaterThan(neighbourBefore.version);

    const offline = await indexed('connectivity.connected:false');
    const doc = offline.find((d) => d.thingName === thing);
    expect(doc?.connectivity).toEqual({ connected: false, timestamp: t0, disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT' });
    expect(offline.map((d) => d.thingName)).not.toContain(neighbour);
    const listed = await admin<{ thingName: string; offline: unknown }[]>('GET', `/accounts/${DEMO_ACCOUNT_ID}/devices/controls`);
    expect(listed.json).toEqual([{ thingName: thing, offline: { sinceMs: t0, reason: 'MQTT_KEEP_ALIVE_TIMEOUT' }, effects: [] }]);

    const up = await devices('online', { thingNames: [thing] });
    expect(up.json.thingNames).toEqual([thing]);
    const t1 = up.json.atMs;
    sim.control.advanceTime(10 * MIN);
    const back = await shadow(thing);
    expect(back.state.reported.connected).toBe(true);
    expect(back.metadata.reported.connected!.timestamp).toBe(Math.floor(t1 / 1000));
    expect(back.metadata.reported.temperature!.timestamp * 1000).toBeGreaterThan(t1);
    expect(back.version).toBeGreaterThan(off.version);
    const [onlineDoc] = await indexed(`thingName:${thing}`);
    expect(onlineDoc?.connectivity).toEqual({ connected: true, timestamp: t1 });
    expect((await admin('GET', `/accounts/${DEMO_ACCOUNT_ID}/devices/controls`)).json).toEqual([]);
    expect((await devices('online', { thingNames: [thing] })).json.thingNames).toEqual([]);
  });

  it('selects devices by group and count, or by prefix', async () => {
    const firstBerlin = (await indexed('thingGroupNames:site-berlin')).map((d) => d.thingName!).sort().slice(0, 2);
    const down = sim.control.takeDevicesOffline(DEMO_ACCOUNT_ID, { group: 'site-berlin', count: 2 });
    expect(down.thingNames).toEqual(firstBerlin);
    sim.control.advanceTime(5 * MIN);
    const offline = (await indexed('thingGroupNames:site-berlin AND connectivity.connected:false')).map((d) => d.thingName);
    expect(offline).toEqual(expect.arrayContaining(firstBerlin));
    const byPrefix = sim.control.takeDevicesOffline(DEMO_ACCOUNT_ID, { prefix: 'sensor-00005' }, 'CONNECTION_LOST');
    expect(byPrefix.thingNames).toEqual([...Array(10)].map((_, i) => `sensor-00005${i}`).filter((n) => !firstBerlin.includes(n)));
    const cleared = await devices('clear', { kinds: ['offline'] });
    expect(cleared.json.thingNames.sort()).toEqual([...new Set([...firstBerlin, ...byPrefix.thingNames])].sort());
    expect(sim.control.listDeviceControls(DEMO_ACCOUNT_ID)).toEqual([]);
  });
});

describe('jobs and held devices', () => {
  it('a held device picks a job up only once it is back; after the update its battery can be drained', async () => {
    sim.control.setBehaviour({ jobs: { failureRate: 0 } });
    const thing = quiet[10]!;
    sim.control.takeDevicesOffline(DEMO_ACCOUNT_ID, { thingNames: [thing] });
    await iot.send(
      new CreateJobCommand({
        jobId: 'held-rollout',
        targets: [`arn:aws:iot:${DEMO_REGION}:${DEMO_ACCOUNT_ID}:thing/${thing}`],
        document: JSON.stringify({ firmware: '3.0.0' }),
      }),
    );
    const status = async () => (await iot.send(new DescribeJobExecutionCommand({ jobId: 'held-rollout', thingName: thing }))).execution?.status;
    sim.control.advanceTime(30 * MIN);
    expect(await status()).toBe('QUEUED');
    sim.control.bringDevicesOnline(DEMO_ACCOUNT_ID, { thingNames: [thing] });
    sim.control.advanceTime(10 * MIN);
    expect(await status()).toBe('SUCCEEDED');
    const updated = await shadow(thing);
    expect((updated.state.reported as Record<string, unknown>).firmware).toBe('3.0.0');

    // The health-gated rollout scenario: devices that took the update start draining.
    sim.control.drainBattery(DEMO_ACCOUNT_ID, { thingNames: [thing] }, { ratePerHour: 20 });
    sim.control.advanceTime(HOUR);
    const drained = await shadow(thing);
    expect(drained.state.reported.battery).toBeLessThan(updated.state.reported.battery - 15);
    sim.control.clearDeviceControls(DEMO_ACCOUNT_ID, { thingNames: [thing] });
  });
});

describe('firmware behaviour', () => {
  it('devices that install a bad firmware start draining from that moment; others do not', async () => {
    sim.control.setBehaviour({ jobs: { failureRate: 0 } });
    const [updated, untouched] = [quiet[11]!, quiet[12]!];
    const rules = [{ firmware: '4.0.0-bad', effect: { kind: 'drain', ratePerHour: 12 } }];
    const put = await admin('PUT', `/accounts/${DEMO_ACCOUNT_ID}/firmware-behaviour`, { rules });
    expect(put).toEqual({ status: 200, json: rules });
    const created = sim.control.now();
    await iot.send(
      new CreateJobCommand({
        jobId: 'bad-build',
        targets: [`arn:aws:iot:${DEMO_REGION}:${DEMO_ACCOUNT_ID}:thing/${updated}`],
        document: JSON.stringify({ firmware: '4.0.0-bad' }),
      }),
    );
    sim.control.advanceTime(HOUR);
    const execution = (await iot.send(new DescribeJobExecutionCommand({ jobId: 'bad-build', thingName: updated }))).execution!;
    expect(execution.status).toBe('SUCCEEDED');
    const [control] = sim.control.listDeviceControls(DEMO_ACCOUNT_ID);
    expect(control).toMatchObject({ thingName: updated, effects: [{ kind: 'drain', measure: 'battery', ratePerHour: 12, endMs: null }] });
    const start = control!.effects[0]!.startMs;
    expect(start).toBeGreaterThan(created);
    expect(start).toBeLessThanOrEqual(execution.lastUpdatedAt!.getTime() + MIN);
    const level = telemetryValue(updated, 'battery', start);
    const drained = (t: number) => Math.round(Math.max(0, level - (12 * (t - start)) / HOUR) * 10) / 10;
    const now = sim.control.now();
    expectStats(await stats(updated, 'battery', start, now), expectedStats(drained, start, now));
    expectStats(await stats(untouched, 'battery', created, now), expectedStats(natural(untouched, 'battery'), created, now));
    const doc = await shadow(updated);
    expect(doc.state.reported.battery).toBe(drained(doc.metadata.reported.battery!.timestamp * 1000));

    expect((await admin('PUT', `/accounts/${DEMO_ACCOUNT_ID}/firmware-behaviour`, { rules: [] })).json).toEqual([]);
    sim.control.clearDeviceControls(DEMO_ACCOUNT_ID);
    const bad = await admin('PUT', `/accounts/${DEMO_ACCOUNT_ID}/firmware-behaviour`, { rules: [{ firmware: 'x', effect: { kind: 'spike', metric: 'rssi' } }] });
    expect(bad.status).toBe(400);
  });
});

describe('draining a battery', () => {
  it('lowers the battery at the given rate in the shadow, the index and Timestream, until cleared', async () => {
    const [thing, other] = [quiet[2]!, quiet[3]!];
    const res = await devices('battery-drain', { thingNames: [thing], ratePerHour: 6 });
    expect(res.json.thingNames).toEqual([thing]);
    const t0 = res.json.atMs;
    const level = telemetryValue(thing, 'battery', t0);
    const drained = (t: number) => Math.round(Math.max(0, level - (6 * (t - t0)) / HOUR) * 10) / 10;

    sim.control.advanceTime(2 * HOUR);
    const doc = await shadow(thing);
    const reportedAt = doc.metadata.reported.battery!.timestamp * 1000;
    expect(reportedAt).toBeGreaterThan(t0 + HOUR);
    expect(doc.state.reported.battery).toBe(drained(reportedAt));
    expect(doc.state.reported.battery).toBeLessThan(telemetryValue(thing, 'battery', reportedAt) - 5);
    const hits = await indexed(`thingName:${thing} AND shadow.reported.battery:[0 TO ${level - 10}]`);
    expect(hits.map((d) => d.thingName)).toEqual([thing]);
    expectStats(await stats(thing, 'battery', t0, t0 + 2 * HOUR), expectedStats(drained, t0, t0 + 2 * HOUR));
    // Before the drain and on other devices, telemetry is untouched.
    expectStats(await stats(thing, 'battery', t0 - HOUR, t0), expectedStats(natural(thing, 'battery'), t0 - HOUR, t0));
    expectStats(await stats(other, 'battery', t0, t0 + 2 * HOUR), expectedStats(natural(other, 'battery'), t0, t0 + 2 * HOUR));

    const cleared = sim.control.clearDeviceControls(DEMO_ACCOUNT_ID, { thingNames: [thing] }, ['drain']);
    expect(cleared.thingNames).toEqual([thing]);
    const t1 = cleared.atMs;
    sim.control.advanceTime(30 * MIN);
    const after = await shadow(thing);
    expect(after.state.reported.battery).toBe(telemetryValue(thing, 'battery', after.metadata.reported.battery!.timestamp * 1000));
    expectStats(await stats(thing, 'battery', t1, t1 + 30 * MIN), expectedStats(natural(thing, 'battery'), t1, t1 + 30 * MIN));
    // History keeps the drain that happened.
    expectStats(await stats(thing, 'battery', t0, t1), expectedStats(drained, t0, t1));
  });
});

describe('metric anomalies', () => {
  it('injects a spike, a level shift, a drift and a stuck value, and clearing restores normal telemetry', async () => {
    const [spiky, shifted, drifting, stuck] = quiet.slice(4, 8) as [string, string, string, string];
    const spike = await devices('anomaly', { thingNames: [spiky], kind: 'spike', metric: 'temperature', value: 85 });
    const t0 = spike.json.atMs;
    expect(spike.json.thingNames).toEqual([spiky]);
    expect((await devices('anomaly', { thingNames: [shifted], kind: 'shift', metric: 'rssi', delta: -25 })).json.atMs).toBe(t0);
    sim.control.injectAnomaly(DEMO_ACCOUNT_ID, { thingNames: [drifting] }, { kind: 'drift', metric: 'temperature', ratePerHour: 4 });
    sim.control.injectAnomaly(DEMO_ACCOUNT_ID, { thingNames: [stuck] }, { kind: 'stuck', metric: 'temperature' });

    // The spike lasts one report interval (5 min): the next report carries it, the index finds it.
    sim.control.advanceTime(2 * MIN);
    expect((await shadow(spiky)).state.reported.temperature).toBe(85);
    expect((await indexed('shadow.reported.temperature>80')).map((d) => d.thingName)).toEqual([spiky]);
    sim.control.advanceTime(58 * MIN);
    const t1 = t0 + HOUR;
    expectStats(await stats(spiky, 'temperature', t0, t0 + 5 * MIN), { min: 85, max: 85, avg: 85, count: 5 });
    expectStats(await stats(spiky, 'temperature', t0 + 5 * MIN, t1), expectedStats(natural(spiky, 'temperature'), t0 + 5 * MIN, t1));
    expect((await shadow(spiky)).state.reported.temperature).toBe(telemetryValue(spiky, 'temperature', t1));

    const shiftedValue = (t: number) => telemetryValue(shifted, 'rssi', t) - 25;
    expectStats(await stats(shifted, 'rssi', t0, t1), expectedStats(shiftedValue, t0, t1));
    expect((await shadow(shifted)).state.reported.rssi).toBe(shiftedValue(t1));

    const drifted = (t: number) => Math.round((telemetryValue(drifting, 'temperature', t) + (4 * (t - t0)) / HOUR) * 100) / 100;
    expectStats(await stats(drifting, 'temperature', t0, t1), expectedStats(drifted, t0, t1));
    expect((await shadow(drifting)).state.reported.temperature).toBe(drifted(t1));

    const frozen = telemetryValue(stuck, 'temperature', t0);
    expectStats(await stats(stuck, 'temperature', t0, t1), { min: frozen, max: frozen, avg: frozen, count: 60 });
    expect((await shadow(stuck)).state.reported.temperature).toBe(frozen);

    const active = sim.control.listDeviceControls(DEMO_ACCOUNT_ID);
    expect(active.map((c) => [c.thingName, c.effects.map((e) => e.kind)])).toEqual(
      [[shifted, ['shift']], [drifting, ['drift']], [stuck, ['stuck']]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );

    // Clearing everything (no selector) ends every running control at once.
    const cleared = await devices('clear', {});
    expect(cleared.json.thingNames.sort()).toEqual([shifted, drifting, stuck].sort());
    const t2 = cleared.json.atMs;
    sim.control.advanceTime(30 * MIN);
    for (const [thing, measure] of [[shifted, 'rssi'], [drifting, 'temperature'], [stuck, 'temperature']] as const) {
      expectStats(await stats(thing, measure, t2, t2 + 30 * MIN), expectedStats(natural(thing, measure), t2, t2 + 30 * MIN));
      const doc = await shadow(thing);
      expect(doc.state.reported[measure]).toBe(telemetryValue(thing, measure, doc.metadata.reported[measure]!.timestamp * 1000));
    }
    expect((await admin('GET', `/accounts/${DEMO_ACCOUNT_ID}/devices/controls`)).json).toEqual([]);
  });

  it('leaves every other device exactly as a simulator without controls shows it', async () => {
    // Two fresh simulators with the same seed and start; controls on two things of one of them only.
    const [one, twin] = await Promise.all([startTestSimulator({ things: 60, seed: 5 }), startTestSimulator({ things: 60, seed: 5 })]);
    try {
      const [held, noisy] = ['sensor-000010', 'sensor-000011'];
      one.control.advanceTime(HOUR);
      one.control.takeDevicesOffline(DEMO_ACCOUNT_ID, { thingNames: [held] });
      one.control.injectAnomaly(DEMO_ACCOUNT_ID, { thingNames: [noisy] }, { kind: 'shift', metric: 'temperature', delta: 10 });
      one.control.drainBattery(DEMO_ACCOUNT_ID, { thingNames: [noisy] }, { ratePerHour: 3 });
      one.control.advanceTime(3 * HOUR);
      twin.control.advanceTime(4 * HOUR);
      const all = async (client: IoTClient) => {
        const out: ThingDocument[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(new SearchIndexCommand({ queryString: '*', nextToken }));
          out.push(...(page.things ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
        return out;
      };
      const [mine, theirs] = [await all(clients(one).iot), await all(clients(twin).iot)];
      expect(mine).toHaveLength(60);
      const others = (docs: ThingDocument[]) => docs.filter((d) => d.thingName !== held && d.thingName !== noisy);
      expect(others(mine)).toEqual(others(theirs));
      expect(mine.find((d) => d.thingName === held)).not.toEqual(theirs.find((d) => d.thingName === held));
      expect(mine.find((d) => d.thingName === noisy)).not.toEqual(theirs.find((d) => d.thingName === noisy));
    } finally {
      await Promise.all([one.close(), twin.close()]);
    }
  });
});

describe('validation', () => {
  it('refuses unknown things, missing selectors and incomplete anomalies with 400', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['offline', { thingNames: ['sensor-999999'] }, /unknown things: sensor-999999/],
      ['offline', {}, /choose devices/],
      ['offline', { group: 'site-mars' }, /unknown thing group/],
      ['offline', { count: 1, reason: 'BORED' }, /reason/],
      ['battery-drain', { count: 1 }, /ratePerHour/],
      ['anomaly', { count: 1, kind: 'spike', metric: 'temperature' }, /value or a delta/],
      ['anomaly', { count: 1, kind: 'wobble', metric: 'temperature' }, /kind/],
      ['anomaly', { count: 1, kind: 'shift', metric: 'humidity', delta: 1 }, /metric/],
      ['anomaly', { count: 1, kind: 'drift', metric: 'rssi', ratePerHour: 1, durationMs: 1000 }, /durationMs/],
      ['clear', { kinds: ['everything'] }, /kinds/],
    ];
    for (const [action, body, message] of cases) {
      const res = await devices(action, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.json as unknown as { error: string }).error).toMatch(message);
    }
    expect(sim.control.listDeviceControls(DEMO_ACCOUNT_ID)).toEqual([]);
  });
});
