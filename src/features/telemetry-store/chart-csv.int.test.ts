import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, asUser, closeDatabase } from '@/lib/db';
import { TelemetryCache } from '@/features/telemetry/cache';
import { adminSql, closeAdminSql, createTestIntegration, createTestOrg, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { enableLiveDataForTest } from '@/features/live-data/test-support';
import { chartCsv, chartCsvFilename, safeText } from './chart-csv';
import { writeTelemetryPoints, type TelemetryPoint } from './service';

/** The chart CSV's raw path pages by time in separate transactions and loses or repeats no point. */
let org: TestOrg;
let device: string;
const points: TelemetryPoint[] = [];

beforeAll(async () => {
  org = await createTestOrg('chart-csv');
  const integration = (await createTestIntegration(org)).id;
  // Live data on: the store is this integration's chart source.
  await enableLiveDataForTest({ id: integration, orgId: org.id });
  const [row] = await adminSql()<{ id: string }[]>`
    insert into public.devices (org_id, integration_id, thing_name, sync_hash) values (${org.id}, ${integration}, 'csv-dev', 'x') returning id`;
  device = row!.id;
  const now = Date.now();
  for (let t = now - 2 * 3_600_000; t < now; t += 7_000) points.push({ orgId: org.id, integrationId: integration, deviceId: device, metric: 'battery', ts: new Date(t), value: (t / 7_000) % 100 });
  await asService((db) => writeTelemetryPoints(db, points));
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('chartCsv', () => {
  it('lists every raw point of a short store-backed device range once, in time order, across pages', async () => {
    let transactions = 0;
    const user = org.members.viewer;
    const csv = await chartCsv(
      {
        asUser: (fn) => asUser(user.claims, fn),
        readAsUser: (fn) => {
          transactions += 1;
          return asUser(user.claims, fn);
        },
        asService,
        keyring: testKeyring(),
        platform: {},
        cache: new TelemetryCache(),
        now: Date.now,
      },
      { orgSlug: org.slug, request: { metric: 'battery', range: '1h', device }, filter: {} },
      { rawPageSize: 37 },
    );
    expect(csv.raw).toBe(true);
    let text = '';
    for await (const chunk of csv.chunks) text += chunk;
    const rows = parse(text.slice(1), { from_line: 2 }) as string[][];
    const from = Date.parse(csv.series.from);
    const to = Date.parse(csv.series.to);
    const expected = points.filter((p) => p.ts.getTime() >= from && p.ts.getTime() < to);
    expect(rows.map((r) => r[0])).toEqual(expected.map((p) => p.ts.toISOString()));
    expect(rows.map((r) => Number(r[2]))).toEqual(expected.map((p) => p.value));
    expect(transactions).toBe(Math.floor(expected.length / 37) + 1);
  });

  it('guards text cells against formula injection and keeps file names plain', () => {
    expect(['=1+1', '+1', '-2', '@SUM(A1)', '\tx', 'plain'].map(safeText)).toEqual(["'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\tx", 'plain']);
    expect(chartCsvFilename('acme"; x', { scope: 'fleet', metric: 'temp/../x' }, new Date(Date.UTC(2026, 11, 8, 9, 5)))).toBe('telemetry-acmex-fleet-temp..x-20261208-0905.csv');
  });
});
