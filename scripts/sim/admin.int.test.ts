import { GetIndexingConfigurationCommand, ListThingsCommand, SearchIndexCommand } from '@aws-sdk/client-iot';
import { GetThingShadowCommand, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, SECOND_ACCOUNT_ID, SECOND_CREDENTIALS } from './config';
import type { RunningSimulator } from './server';
import { clients, decodeJson, encodeJson, failure, startTestSimulator, TEST_START_MS } from './test-support';

let sim: RunningSimulator;

async function admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

beforeAll(async () => {
  sim = await startTestSimulator({ things: 25, seed: 8 });
});
afterAll(() => sim.close());

describe('admin API', () => {
  it('reports health, accounts and memory', async () => {
    const { status, json } = await admin<{ ok: boolean; rssBytes: number; accounts: { accountId: string; things: number }[] }>('GET', '/health');
    expect(status).toBe(200);
    expect(json.ok).toBe(true);
    expect(json.rssBytes).toBeGreaterThan(0);
    expect(json.accounts.map((a) => [a.accountId, a.things])).toEqual([
      [DEMO_ACCOUNT_ID, 25],
      [SECOND_ACCOUNT_ID, 200],
    ]);
  });

  it('seeds a fleet deterministically and grows or shrinks it', async () => {
    const seeded = await admin('POST', `/accounts/${DEMO_ACCOUNT_ID}/seed`, { things: 12, seed: 99 });
    expect(seeded.json).toMatchObject({ things: 12, seed: 99 });
    const { iot } = clients(sim);
    const first = await iot.send(new SearchIndexCommand({ queryString: '*' }));
    await admin('POST', `/accounts/${DEMO_ACCOUNT_ID}/seed`, { things: 12, seed: 99 });
    const again = await iot.send(new SearchIndexCommand({ queryString: '*' }));
    expect(again.things).toEqual(first.things);
    await admin('POST', `/accounts/${DEMO_ACCOUNT_ID}/seed`, { things: 12, seed: 100 });
    const other = await iot.send(new SearchIndexCommand({ queryString: '*' }));
    expect(other.things).not.toEqual(first.things);

    expect((await admin('POST', `/accounts/${DEMO_ACCOUNT_ID}/things`, { count: 3 })).json).toMatchObject({ things: 15 });
    const removed = await admin('POST', `/accounts/${DEMO_ACCOUNT_ID}/things/remove`, { thingNames: ['sensor-000002', 'sensor-999999'] });
    expect(removed.json).toEqual({ removed: ['sensor-000002'] });
    const listed = await iot.send(new ListThingsCommand({ maxResults: 250 }));
    expect(listed.things).toHaveLength(14);
    expect(listed.things?.map((t) => t.thingName)).not.toContain('sensor-000002');
    const invalid = await admin('POST', `/accounts/${DEMO_ACCOUNT_ID}/seed`, { things: -1 });
    expect(invalid.status).toBe(400);
  });

  it('switches the indexing mode of one account', async () => {
    const res = await admin('PUT', `/accounts/${SECOND_ACCOUNT_ID}/indexing`, { thingIndexingMode: 'REGISTRY_AND_SHADOW', thingConnectivityIndexingMode: 'STATUS' });
    expect(res.status).toBe(200);
    const second = clients(sim, { credentials: SECOND_CREDENTIALS });
    const cfg = await second.iot.send(new GetIndexingConfigurationCommand({}));
    expect(cfg.thingIndexingConfiguration?.thingIndexingMode).toBe('REGISTRY_AND_SHADOW');
    expect((await second.iot.send(new SearchIndexCommand({ queryString: 'connectivity.connected:*', maxResults: 5 }))).things).toHaveLength(5);
    const bad = await admin('PUT', `/accounts/${SECOND_ACCOUNT_ID}/indexing`, { thingIndexingMode: 'SOMETIMES' });
    expect(bad.status).toBe(400);
  });

  it('sets quotas and faults, and counts calls and throttles', async () => {
    await admin('POST', '/counters/reset');
    expect((await admin('PUT', '/quotas', { enabled: true, rates: { ListThings: 0 } })).status).toBe(200);
    const { iot } = clients(sim, { maxAttempts: 1 });
    expect((await failure(iot.send(new ListThingsCommand({})))).name).toBe('ThrottlingException');
    await admin('PUT', '/quotas', { enabled: false, rates: {} });
    await iot.send(new ListThingsCommand({}));
    const { json } = await admin<{ calls: Record<string, number>; throttled: Record<string, number>; byAccount: Record<string, unknown> }>('GET', '/counters');
    expect(json.calls['iot:ListThings']).toBe(2);
    expect(json.throttled['iot:ListThings']).toBe(1);
    expect(json.byAccount[DEMO_ACCOUNT_ID]).toBeDefined();

    const faults = await admin('PUT', '/faults', { errorRate: 1, operations: ['ListThings'], latencyMs: 0 });
    expect(faults.json).toMatchObject({ errorRate: 1, operations: ['ListThings'], latencyMs: [0, 0] });
    expect((await failure(iot.send(new ListThingsCommand({})))).$metadata.httpStatusCode).toBeGreaterThanOrEqual(500);
    await admin('PUT', '/faults', { errorRate: 0, operations: null });
    await iot.send(new ListThingsCommand({}));
    expect((await admin('PUT', '/faults', { errorRate: 2 })).status).toBe(400);
  });

  it('advances the simulated clock, which devices and shadows follow', async () => {
    const before = await admin<{ nowMs: number; scale: number }>('GET', '/clock');
    expect(before.json.scale).toBe(0);
    const { data } = clients(sim);
    await data.send(new UpdateThingShadowCommand({ thingName: 'sensor-000001', payload: encodeJson({ state: { desired: { led: 'blink' } } }) }));
    const after = await admin<{ nowMs: number }>('POST', '/clock', { advanceMs: 3_600_000 });
    expect(after.json.nowMs - before.json.nowMs).toBe(3_600_000);
    const doc = decodeJson<{ timestamp: number }>((await data.send(new GetThingShadowCommand({ thingName: 'sensor-000001' }))).payload);
    expect(doc.timestamp).toBe(Math.floor(after.json.nowMs / 1000));
    expect((await admin('POST', '/clock', { setMs: TEST_START_MS })).status).toBe(400);
  });

  it('configures keys and roles', async () => {
    const key = { accessKeyId: 'AKIAADMINCREATED0001', secretAccessKey: 'k'.repeat(40), accountId: SECOND_ACCOUNT_ID, actions: ['iot:ListThings'] };
    expect((await admin('PUT', '/keys', key)).status).toBe(200);
    const { iot } = clients(sim, { credentials: key, maxAttempts: 1 });
    const [t] = (await iot.send(new ListThingsCommand({ maxResults: 1 }))).things ?? [];
    expect(t?.thingArn).toContain(SECOND_ACCOUNT_ID);
    expect((await failure(iot.send(new GetIndexingConfigurationCommand({})))).name).toBe('AccessDeniedException');
    const keys = await admin<{ accessKeyId: string; secretAccessKey?: string }[]>('GET', '/keys');
    expect(keys.json.find((k) => k.accessKeyId === key.accessKeyId)).toMatchObject({ accessKeyId: key.accessKeyId });
    expect(keys.json.every((k) => k.secretAccessKey === undefined)).toBe(true);
    expect((await admin('DELETE', `/keys/${key.accessKeyId}`)).json).toEqual({ deleted: true });
    expect((await failure(iot.send(new ListThingsCommand({})))).name).toBe('UnrecognizedClientException');
    expect((await admin('PUT', '/keys', { ...key, accessKeyId: 'short' })).status).toBe(400);
    expect((await admin('PUT', '/roles', { roleArn: 'arn:aws:iam::111122223333:role/Other', externalId: 'abc123' })).status).toBe(200);
    expect((await admin<{ roleArn: string }[]>('GET', '/roles')).json.map((r) => r.roleArn)).toContain('arn:aws:iam::111122223333:role/Other');
  });

  it('answers unknown endpoints with 404 and wrong methods with 405', async () => {
    expect((await admin('GET', '/nope')).status).toBe(404);
    expect((await admin('DELETE', '/health')).status).toBe(405);
  });

  it('resets to the start-up configuration', async () => {
    await admin('POST', '/reset');
    const health = await admin<{ accounts: { accountId: string; things: number; indexing: { thingIndexingMode: string } }[] }>('GET', '/health');
    expect(health.json.accounts.map((a) => [a.accountId, a.things, a.indexing.thingIndexingMode])).toEqual([
      [DEMO_ACCOUNT_ID, 25, 'REGISTRY_AND_SHADOW'],
      [SECOND_ACCOUNT_ID, 200, 'OFF'],
    ]);
    const { data } = clients(sim);
    const doc = decodeJson<{ state: { desired?: unknown } }>((await data.send(new GetThingShadowCommand({ thingName: 'sensor-000001' }))).payload);
    expect(doc.state.desired).toBeUndefined();
  });
});

describe('npm run sim (CLI)', () => {
  it('starts, prints one ready line with URL, fleet size and seeding time, and stops on SIGTERM', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--port', '0', '--things', '500', '--no-quotas'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.includes('ready at'));
        if (line) resolve(line);
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
    });
    expect(ready).toMatch(/ready at http:\/\/127\.0\.0\.1:\d+ — 500 things in account 111122223333 \(us-east-1\), seeded in \d+ ms/);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(ready)![0];
    const health = (await fetch(`${url}/_sim/health`).then((r) => r.json())) as { accounts: { things: number }[] };
    expect(health.accounts[0]?.things).toBe(500);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
