import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asService, assertOutsideTransaction, closeDatabase } from '@/lib/db';
import { adminSql, closeAdminSql, createTestIntegration, createTestOrg, type TestIntegration, type TestOrg } from '../../../scripts/test/fixtures';
import { ingestLimits } from './config';
import { handleIngestRequest } from './http';
import { ingest, type IngestDeps } from './ingest';
import type { TelemetryPoint, WritePoints } from './points';
import { cachedLookups } from './ingest-lookups';
import { batchedTally } from './ingest-tally';
import { INGEST_SECRET_HEADER, newIngestSecret } from './secret';
import { enableLiveDataForTest } from './test-support';

/**
 * The ingest against real Postgres: authentication, validation, rejection counters and the points
 * handed to the store's writer (a recording writer here; the store's own tests cover its tables).
 */
const NOW = Date.UTC(2026, 11, 8, 10, 0, 0);

let org: TestOrg;
let integration: TestIntegration;
let other: TestIntegration;
let secret: string;
let written: TelemetryPoint[];
let deviceIds: Map<string, string>;

const recordingWriter: WritePoints = async (points) => {
  // After the ingest's transaction: the writer runs its own (the app's write combiner).
  expect(() => assertOutsideTransaction()).not.toThrow();
  written.push(...points);
  return { written: points.length };
};

const deps = (): IngestDeps => ({ db: asService, writePoints: recordingWriter, limits: ingestLimits({}), now: () => NOW, touchEveryMs: 0 });

function post(body: unknown, headers: Record<string, string> = { [INGEST_SECRET_HEADER]: secret }, integrationId = integration.id) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return ingest(deps(), {
    integrationId,
    headers: new Headers(headers),
    readBody: async (max) => (Buffer.byteLength(text) > max ? null : text),
  });
}

async function rejections(integrationId = integration.id): Promise<Record<string, number>> {
  const rows = await adminSql()<{ reason: string; count: string }[]>`select reason, count from public.ingest_rejections where integration_id = ${integrationId}`;
  return Object.fromEntries(rows.map((r) => [r.reason, Number(r.count)]));
}

beforeAll(async () => {
  org = await createTestOrg('ingest');
  integration = await createTestIntegration(org);
  other = await createTestIntegration(org);
  secret = await enableLiveDataForTest(integration);
  await enableLiveDataForTest(other);
  const rows = await adminSql()<{ id: string; thing_name: string }[]>`
    insert into public.devices (org_id, integration_id, thing_name, sync_hash)
    values (${org.id}, ${integration.id}, 'sensor-1', 'x'), (${org.id}, ${integration.id}, 'sensor-2', 'x'), (${org.id}, ${other.id}, 'elsewhere-1', 'x')
    returning id, thing_name`;
  deviceIds = new Map(rows.map((r) => [r.thing_name, r.id]));
});

beforeEach(async () => {
  written = [];
  await adminSql()`delete from public.ingest_rejections where integration_id = ${integration.id}`;
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('authentication', () => {
  const message = { thing: 'sensor-1', ts: NOW, battery: 80 };

  it.each([
    ['no secret', {}],
    ['a wrong secret', { [INGEST_SECRET_HEADER]: 'fli_wrong' }],
    ['another integration’s secret', { [INGEST_SECRET_HEADER]: 'x'.repeat(48) }],
  ])('answers 401 to %s and stores nothing, not even a counter', async (_name, headers) => {
    const res = await post([message], headers);
    expect(res).toEqual({ status: 401, body: { error: 'unauthorized' } });
    expect(written).toEqual([]);
    expect(await rejections()).toEqual({});
  });

  it('answers 401 with the right secret once live data is switched off, and to a malformed integration id', async () => {
    const disabled = await createTestIntegration(org);
    const disabledSecret = await enableLiveDataForTest(disabled, { enabled: false });
    expect((await post([message], { [INGEST_SECRET_HEADER]: disabledSecret }, disabled.id)).status).toBe(401);
    expect((await post([message], { [INGEST_SECRET_HEADER]: secret }, 'not-a-uuid')).status).toBe(401);
    // The secret of one integration does not open another's endpoint.
    expect((await post([message], { [INGEST_SECRET_HEADER]: secret }, other.id)).status).toBe(401);
    expect(written).toEqual([]);
  });
});

describe('a valid batch', () => {
  it('hands every metric of every message to the store, as points of the right device, and says so', async () => {
    const res = await post([
      { thing: 'sensor-1', ts: NOW - 1000, battery: 81.5, temperature: 21.4, rssi: -67 },
      { thing: 'sensor-2', ts: NOW, 'cpu.load_1m': 0.25 },
    ]);
    expect(res).toEqual({ status: 200, body: { accepted: 2, points: 4, presence: 0, rejected: {} } });
    const base = { orgId: org.id, integrationId: integration.id };
    expect(written).toEqual([
      { ...base, deviceId: deviceIds.get('sensor-1'), metric: 'battery', ts: new Date(NOW - 1000), value: 81.5 },
      { ...base, deviceId: deviceIds.get('sensor-1'), metric: 'temperature', ts: new Date(NOW - 1000), value: 21.4 },
      { ...base, deviceId: deviceIds.get('sensor-1'), metric: 'rssi', ts: new Date(NOW - 1000), value: -67 },
      { ...base, deviceId: deviceIds.get('sensor-2'), metric: 'cpu.load_1m', ts: new Date(NOW), value: 0.25 },
    ]);
    const [live] = await adminSql()<{ last_message_at: Date | null }[]>`select last_message_at from public.integration_live_data where integration_id = ${integration.id}`;
    expect(live!.last_message_at).not.toBeNull();
  });

  it('accepts a single message that is not wrapped in an array', async () => {
    const res = await post({ thing: 'sensor-2', ts: NOW, battery: 50 });
    expect(res.body).toMatchObject({ accepted: 1, points: 1 });
    expect(written.map((p) => p.metric)).toEqual(['battery']);
  });
});

describe('invalid messages', () => {
  it('rejects each with its reason, counts the reasons and stores only the valid ones', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i]));
    const res = await post([
      { thing: 'sensor-1', ts: NOW, battery: 80 },
      { thing: 'ghost-9', ts: NOW, battery: 80 },
      { thing: 'elsewhere-1', ts: NOW, battery: 80 },
      { thing: 'sensor-1', ts: NOW, '1bad': 1 },
      { thing: 'sensor-1', ts: NOW, battery: 'high' },
      { thing: 'sensor-1', ts: NOW - 2 * 86_400_000, battery: 80 },
      { thing: 'sensor-1', ts: NOW + 3_600_000, battery: 80 },
      { thing: 'sensor-1', ts: NOW, ...tooMany },
      { thing: 'sensor-1', ts: NOW, battery: 1e300 },
      'not an object',
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accepted: 1,
      points: 1,
      presence: 0,
      rejected: { unknown_device: 2, bad_metric_name: 1, bad_value: 2, stale_timestamp: 1, future_timestamp: 1, too_many_metrics: 1, not_object: 1 },
    });
    expect(written).toHaveLength(1);
    expect(await rejections()).toEqual({ unknown_device: 2, bad_metric_name: 1, bad_value: 2, stale_timestamp: 1, future_timestamp: 1, too_many_metrics: 1, not_object: 1 });
    // Unknown devices are counted, not created.
    const [ghost] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.devices where thing_name = 'ghost-9'`;
    expect(ghost!.n).toBe(0);

    await post([{ thing: 'ghost-9', ts: NOW, battery: 1 }]);
    expect((await rejections()).unknown_device).toBe(3);
  });

  it('refuses batches over 10 messages or 128 KiB (413) and bodies that are not JSON (400), counting them', async () => {
    const eleven = Array.from({ length: 11 }, () => ({ thing: 'sensor-1', ts: NOW, battery: 1 }));
    expect((await post(eleven)).status).toBe(413);
    expect((await post('x'.repeat(128 * 1024 + 1))).status).toBe(413);
    expect((await post('{"thing":')).status).toBe(400);
    expect((await post([])).status).toBe(400);
    expect(written).toEqual([]);
    expect(await rejections()).toEqual({ batch_too_large: 2, malformed_request: 2 });
  });
});

describe('through the route handler (streamed request bodies)', () => {
  const handler = (body: string, headers: Record<string, string> = { [INGEST_SECRET_HEADER]: secret }) =>
    handleIngestRequest(
      { ingest: deps(), confirm: { db: asService, runtime: { clients: () => { throw new Error('no AWS here'); } } } },
      new Request(`http://127.0.0.1/api/ingest/v1/${integration.id}`, { method: 'POST', headers, body }),
      integration.id,
    );

  it('accepts a batch, refuses a body over 128 KiB without reading it all, and answers 401 without the header', async () => {
    const ok = await handler(JSON.stringify([{ thing: 'sensor-1', ts: NOW, battery: 1 }]));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toEqual({ accepted: 1, points: 1, presence: 0, rejected: {} });
    expect((await handler(`[${'1,'.repeat(70_000)}1]`)).status).toBe(413);
    const denied = await handler('[]', {});
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ error: 'unauthorized' });
    expect(written).toHaveLength(1);
  });
});

describe('with the per-process cache and batched counters (the app and the ingest server)', () => {
  // The caches' clock, moved by hand (no sleeping, no timing luck).
  let clock = 1_000;

  it('keeps an auth record for its TTL only: a new secret, the end of a rotation grace period or switching off takes effect within it', async () => {
    const cached = await createTestIntegration(org);
    const first = await enableLiveDataForTest(cached);
    const lookups = cachedLookups({ db: asService, ttlMs: 5_000, now: () => clock });
    const send = (s: string) =>
      ingest(
        { ...deps(), lookups },
        { integrationId: cached.id, headers: new Headers({ [INGEST_SECRET_HEADER]: s }), readBody: async () => JSON.stringify([{ thing: 'ghost', ts: NOW, battery: 1 }]) },
      );
    expect((await send(first)).status).toBe(200);
    const fresh = newIngestSecret();
    await adminSql()`update public.integration_live_data set secret_hash = ${fresh.hash} where integration_id = ${cached.id}`;
    // Within the TTL the cached record still decides; after it, the new secret only.
    expect((await send(first)).status).toBe(200);
    clock += 5_001;
    expect((await send(first)).status).toBe(401);
    expect((await send(fresh.secret)).status).toBe(200);
    // A rotation with a grace period: the previous secret is accepted until it expires (+ at most the TTL).
    const rotated = newIngestSecret();
    await adminSql()`
      update public.integration_live_data set previous_secret_hash = secret_hash, secret_hash = ${rotated.hash},
             previous_secret_expires_at = now() + interval '10 minutes' where integration_id = ${cached.id}`;
    clock += 5_001;
    expect((await send(fresh.secret)).status).toBe(200);
    expect((await send(rotated.secret)).status).toBe(200);
    await adminSql()`update public.integration_live_data set previous_secret_expires_at = now() - interval '1 second' where integration_id = ${cached.id}`;
    clock += 5_001;
    expect((await send(fresh.secret)).status).toBe(401);
    expect((await send(rotated.secret)).status).toBe(200);
    await adminSql()`update public.integration_live_data set enabled = false where integration_id = ${cached.id}`;
    clock += 5_001;
    expect((await send(rotated.secret)).status).toBe(401);
  });

  it('remembers unknown thing names briefly, then finds a device the sync added; counters are written in one flush', async () => {
    const lookups = cachedLookups({ db: asService, unknownTtlMs: 2_000, now: () => clock });
    const tally = batchedTally({ db: asService, flushEveryMs: 60_000 });
    const send = () =>
      ingest(
        { ...deps(), lookups, tally },
        { integrationId: integration.id, headers: new Headers({ [INGEST_SECRET_HEADER]: secret }), readBody: async () => JSON.stringify([{ thing: 'late-1', ts: NOW, battery: 1 }, { thing: 'sensor-1', ts: NOW, battery: 2 }]) },
      );
    expect((await send()).body).toMatchObject({ accepted: 1, rejected: { unknown_device: 1 } });
    const [late] = await adminSql()<{ id: string }[]>`
      insert into public.devices (org_id, integration_id, thing_name, sync_hash) values (${org.id}, ${integration.id}, 'late-1', 'x') returning id`;
    expect((await send()).body).toMatchObject({ accepted: 1, rejected: { unknown_device: 1 } }); // still remembered as unknown
    clock += 2_001;
    expect((await send()).body).toMatchObject({ accepted: 2, rejected: {} });
    expect(written.filter((p) => p.deviceId === late!.id)).toHaveLength(1);
    // Nothing counted until the flush; then both rejections at once.
    expect(await rejections()).toEqual({});
    await tally.stop();
    expect(await rejections()).toEqual({ unknown_device: 2 });
  });
});
