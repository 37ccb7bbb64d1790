import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, TEST_PORTS } from '../../../scripts/stack/config';
import { adminSql, closeAdminSql, createTestIntegration, createTestOrg, type TestIntegration, type TestOrg } from '../../../scripts/test/fixtures';
import { INGEST_SECRET_HEADER } from './secret';
import { enableLiveDataForTest } from './test-support';

/**
 * The standalone ingest server (`npm run ingest`) as a process on the test database: health, the
 * same endpoint and answers as the route, the body limit, and a graceful shutdown that writes the
 * batched counters and folds the queued rollups before it exits.
 */
const PORT = TEST_PORTS.app + 27;
const BASE = `http://127.0.0.1:${PORT}`;
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

let org: TestOrg;
let integration: TestIntegration;
let secret: string;
let deviceId: string;
let server: ChildProcess;
let exited: Promise<number | null>;

beforeAll(async () => {
  org = await createTestOrg('ingest-server');
  integration = await createTestIntegration(org);
  secret = await enableLiveDataForTest(integration);
  const [row] = await adminSql()<{ id: string }[]>`
    insert into public.devices (org_id, integration_id, thing_name, sync_hash) values (${org.id}, ${integration.id}, 'standalone-1', 'x') returning id`;
  deviceId = row!.id;
  server = spawn(TSX, [path.join(ROOT, 'scripts', 'ingest-server.ts')], {
    cwd: ROOT,
    env: { ...process.env, INGEST_PORT: String(PORT), LOG_LEVEL: 'warn', NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${BASE}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('ingest server did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
}, 40_000);

afterAll(async () => {
  if (server.exitCode === null) server.kill('SIGKILL');
  await closeAdminSql();
});

const post = (body: string, headers: Record<string, string> = { [INGEST_SECRET_HEADER]: secret }, integrationId = integration.id) =>
  fetch(`${BASE}/api/ingest/v1/${integrationId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('npm run ingest', () => {
  it('answers health, stores a batch like the route, refuses a wrong secret and an oversized body, and shuts down gracefully', async () => {
    const health = await fetch(`${BASE}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    expect((await fetch(`${BASE}/elsewhere`)).status).toBe(404);

    const now = Date.now();
    const ok = await post(JSON.stringify([{ thing: 'standalone-1', ts: now, battery: 80, rssi: -60 }, { thing: 'ghost-1', ts: now, battery: 1 }]));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toEqual({ accepted: 1, points: 2, presence: 0, rejected: { unknown_device: 1 } });
    // Acknowledged: the raw rows are committed.
    const [raw] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.telemetry_points where device_id = ${deviceId}`;
    expect(raw!.n).toBe(2);

    const denied = await post('[]', { [INGEST_SECRET_HEADER]: 'fli_wrong' });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ error: 'unauthorized' });
    const big = await post('x'.repeat(128 * 1024 + 1));
    expect(big.status).toBe(413);

    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    // On the way out: the batched counters were written and the queued rollups folded.
    const counts = await adminSql()<{ reason: string; count: string }[]>`select reason, count from public.ingest_rejections where integration_id = ${integration.id} order by reason`;
    expect(counts.map((c) => [c.reason, Number(c.count)])).toEqual([['batch_too_large', 1], ['unknown_device', 1]]);
    const rollups = await adminSql()<{ metric: string; count: number }[]>`
      select metric, count::int as count from public.telemetry_rollups_5m where device_id = ${deviceId} order by metric`;
    expect(rollups).toEqual([{ metric: 'battery', count: 1 }, { metric: 'rssi', count: 1 }]);
  });
});
