import { parse } from 'csv-parse/sync';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { asService, closeDatabase } from '@/lib/db';
import { enableLiveDataForTest } from '@/features/live-data/test-support';
import { writeTelemetryPoints, type TelemetryPoint } from '@/features/telemetry-store/service';
import { adminSql, closeAdminSql, createTestIntegration, createTestOrg, type TestOrg } from '../../scripts/test/fixtures';

/**
 * GET /api/orgs/[orgSlug]/telemetry/export with the real handler, database and limiter; only Next's
 * request scope (session lookup, headers()) is stood in for, as in rate-limits.int.test.ts.
 */
const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock('server-only', () => ({}));
vi.mock('next/headers', () => ({ headers: async () => new Headers(), cookies: async () => ({ getAll: () => [], set: () => {} }) }));
vi.mock('@/lib/auth', () => ({ getSessionUser: async () => session.user }));

const MIN = 60_000;
let org: TestOrg;
let other: TestOrg;
let liveDevice: string;
let syncedDevice: string;
const points: TelemetryPoint[] = [];

beforeAll(async () => {
  process.env.FLEETLINE_RATE_LIMIT_TELEMETRY_EXPORT = '4/60';
  process.env.APP_URL = 'http://127.0.0.1:3000';
  org = await createTestOrg('tl-export');
  other = await createTestOrg('tl-export-other');
  const live = (await createTestIntegration(org, { name: 'Live' })).id;
  // Live data on: the store is this integration's chart source.
  await enableLiveDataForTest({ id: live, orgId: org.id });
  const synced = (await createTestIntegration(org, { name: 'Synced' })).id;
  const [a] = await adminSql()<{ id: string }[]>`
    insert into public.devices (org_id, integration_id, thing_name, sync_hash) values (${org.id}, ${live}, 'exp-live', 'x') returning id`;
  const [b] = await adminSql()<{ id: string }[]>`
    insert into public.devices (org_id, integration_id, thing_name, sync_hash) values (${org.id}, ${synced}, 'exp-synced', 'x') returning id`;
  liveDevice = a!.id;
  syncedDevice = b!.id;
  const now = Date.now();
  for (let t = now - 3 * 60 * MIN; t < now; t += 10_000) {
    points.push({ orgId: org.id, integrationId: live, deviceId: liveDevice, metric: 'rssi', ts: new Date(t), value: -60 - (Math.floor(t / 10_000) % 20) });
  }
  await asService((db) => writeTelemetryPoints(db, points));
  await adminSql()`
    insert into public.device_shadow_history (org_id, device_id, shadow_version, reported, reported_at, observed_at)
    values (${org.id}, ${syncedDevice}, 1, '{"rssi": -71}', now() - interval '2 hours', now()),
           (${org.id}, ${syncedDevice}, 2, '{"rssi": -75}', now() - interval '2 hours' + interval '1 minute', now())`;
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

async function download(user: SessionUser | null, query: string, slug = org.slug) {
  session.user = user;
  const { GET } = await import('@/app/api/orgs/[orgSlug]/telemetry/export/route');
  return GET(new NextRequest(`http://127.0.0.1/api/orgs/${slug}/telemetry/export?${query}`), { params: Promise.resolve({ orgSlug: slug }) });
}

/** The body's rows after the header; the body starts with a UTF-8 BOM (for Excel), which Response.text() would drop. */
async function rowsOf(res: Response): Promise<string[][]> {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  expect(text.startsWith('\uFEFFtime,min,avg,max,count\r\n')).toBe(true);
  return parse(text.slice(1), { from_line: 2 }) as string[][];
}

describe('GET /api/orgs/[orgSlug]/telemetry/export', () => {
  it('streams a store-backed device chart over 1 h as its raw points', async () => {
    const res = await download(org.members.viewer, `metric=rssi&range=1h&device=${liveDevice}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="telemetry-tl-export-[a-z0-9-]+-device-rssi-\d{8}-\d{4}\.csv"$/);
    expect(res.headers.get('x-telemetry-source')).toBe('fleetline_store:raw');
    expect(res.headers.get('x-telemetry-rows')).toBe('raw');
    const [from, to] = res.headers.get('x-telemetry-range')!.split('/').map(Date.parse) as [number, number];
    const rows = await rowsOf(res);
    const expected = points.filter((p) => p.ts.getTime() >= from && p.ts.getTime() < to);
    expect(rows.length).toBe(expected.length);
    expect(rows).toEqual(expected.map((p) => [p.ts.toISOString(), String(p.value), String(p.value), String(p.value), '1']));
  });

  it('streams binned rows (time, min, avg, max, count) for longer ranges and for other sources', async () => {
    const res = await download(org.members.viewer, `metric=rssi&range=24h&device=${liveDevice}`);
    expect(res.headers.get('x-telemetry-source')).toBe('fleetline_store:5m');
    const [from, to] = res.headers.get('x-telemetry-range')!.split('/').map(Date.parse) as [number, number];
    const rows = await rowsOf(res);
    const bins = new Map<number, number[]>();
    for (const p of points) {
      const t = p.ts.getTime();
      if (t < from || t >= to) continue;
      const bin = Math.floor(t / (5 * MIN)) * 5 * MIN;
      bins.set(bin, [...(bins.get(bin) ?? []), p.value]);
    }
    const expected = [...bins.entries()].sort((a, b) => a[0] - b[0]);
    expect(rows.map((r) => r[0])).toEqual(expected.map(([t]) => new Date(t).toISOString()));
    rows.forEach((r, i) => {
      const vs = expected[i]![1];
      expect([Number(r[1]), Number(r[3]), Number(r[4])]).toEqual([Math.min(...vs), Math.max(...vs), vs.length]);
      expect(Number(r[2])).toBeCloseTo(vs.reduce((a, b) => a + b, 0) / vs.length, 9);
    });

    const history = await download(org.members.viewer, `metric=rssi&range=24h&device=${syncedDevice}`);
    expect(history.headers.get('x-telemetry-source')).toBe('shadow_history');
    const historyRows = await rowsOf(history);
    // Two reports a minute apart: one 5-minute bin or two, 2 points in all, between -75 and -71.
    expect(historyRows.reduce((n, r) => n + Number(r[4]), 0)).toBe(2);
    expect(Math.min(...historyRows.map((r) => Number(r[1])))).toBe(-75);
    expect(Math.max(...historyRows.map((r) => Number(r[3])))).toBe(-71);
    const fleet = await download(org.members.viewer, 'metric=rssi&range=24h');
    expect(fleet.status).toBe(200);
    expect(fleet.headers.get('x-telemetry-rows')).toBe('bins');
    expect((await rowsOf(fleet)).length).toBeGreaterThan(30);
  });

  it('refuses the signed-out (401), other organizations (404) and bad queries (400), and limits downloads per user (429)', async () => {
    expect((await download(null, 'metric=rssi&range=1h')).status).toBe(401);
    const stranger = await download(other.members.owner, `metric=rssi&range=1h&device=${liveDevice}`);
    expect(stranger.status).toBe(404);
    expect(await stranger.text()).not.toContain('-6');
    expect((await download(org.members.operator, 'metric=rssi&range=2h')).status).toBe(400);
    // Validation comes before the limiter, so the refused query spent nothing.
    for (let i = 0; i < 4; i++) expect((await download(org.members.operator, 'metric=rssi&range=1h')).status).toBe(200);
    const limited = await download(org.members.operator, 'metric=rssi&range=1h');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED', error: expect.stringMatching(/^Too many chart downloads\. Try again in/) });
  });
});
