import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { testIntegration } from '@/features/integrations/service';
import { runSync } from '@/features/sync/engine';
import { createWriteCombiner } from '@/features/telemetry-store/combiner';
import { asService, closeDatabase } from '@/lib/db';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS, LIMITED_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, closeAdminSql, createTestOrg, orgScopeFor, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { ingestLimits } from './config';
import { handleIngestRequest, type LiveDataHttpDeps } from './http';
import { enableLiveData, rotateIngestSecret } from './service';
import { hashIngestSecret } from './secret';
import { enableLiveDataForTest } from './test-support';

/**
 * Live data end to end against the simulator's rules engine: Fleetline creates the destination
 * and both rules through the runtime, the simulator's confirmation POST reaches the real ingest
 * handler (served over HTTP here, as the route serves it), which confirms the destination with
 * AWS; then the fleet's telemetry lands in the store and a disconnect flips the device.
 */
let sim: RunningSimulator;
let server: Server;
let org: TestOrg;
let integration: SimIntegration;
let appUrl: string;

beforeAll(async () => {
  sim = await startTestSimulator({ things: 6, seed: 31, indexing: 'REGISTRY_AND_SHADOW', rules: { delivery: 'manual' } });
  org = await createTestOrg('live-e2e');
  integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
  const runtime = { clients: integrationClients(testKeyring(), {}), db: asService };
  const deps: LiveDataHttpDeps = {
    // The simulator's clock is frozen at its own start; messages are judged against it.
    ingest: { db: asService, writePoints: createWriteCombiner({ db: asService }).write, limits: ingestLimits({}), now: () => sim.control.now() },
    confirm: { db: asService, runtime },
  };
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const integrationId = (req.url ?? '').split('/').pop() ?? '';
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : [])),
      body: Buffer.concat(chunks),
    });
    const response = await handleIngestRequest(deps, request, integrationId);
    res.writeHead(response.status, { 'content-type': 'application/json' });
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const synced = await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' });
  expect(synced).toMatchObject({ outcome: 'ran', run: { status: 'succeeded' } });
  // The preflight records the liveData capability, which lets Fleetline manage the rules itself.
  const report = await testIntegration(orgScopeFor(org, 'admin'), { integrationId: integration.id }, { keyring: testKeyring(), platform: {} });
  expect(report.checks.find((c) => c.id === 'liveData')).toMatchObject({ status: 'ok' });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

const liveRow = async () =>
  (await adminSql()<{ destination_status: string | null; telemetry_rule_status: string | null; presence_rule_status: string | null }[]>`
    select destination_status, telemetry_rule_status, presence_rule_status from public.integration_live_data where integration_id = ${integration.id}`)[0];

describe('live data from the simulator’s rules engine', () => {
  it('confirms the destination, stores the fleet’s telemetry and applies a disconnect at once', async () => {
    const on = await enableLiveData(orgScopeFor(org, 'admin'), { integrationId: integration.id, topicFilter: 'dt/+/telemetry' }, {
      db: asService,
      runtime: { clients: integrationClients(testKeyring(), {}), db: asService },
      appUrl,
    });
    expect(on).toMatchObject({ managed: true, error: null });

    // The confirmation POST reaches the ingest handler, which calls ConfirmTopicRuleDestination.
    await sim.control.flushRules();
    await expect.poll(async () => (await liveRow())?.destination_status, { timeout: 5_000 }).toBe('ENABLED');
    expect(await liveRow()).toMatchObject({ telemetry_rule_status: 'ENABLED', presence_rule_status: 'ENABLED' });

    // Ten minutes of reports: every online device's telemetry arrives and is stored with rollups.
    sim.control.advanceTime(10 * 60_000);
    await sim.control.flushRules();
    const [stored] = await adminSql()<{ points: number; devices: number; metrics: string[] }[]>`
      select count(*)::int as points, count(distinct device_id)::int as devices, array_agg(distinct metric order by metric) as metrics
      from public.telemetry_points where integration_id = ${integration.id}`;
    expect(stored!.points).toBeGreaterThan(0);
    expect(stored!.metrics).toEqual(expect.arrayContaining(['battery', 'rssi', 'temperature']));
    const [rolled] = await adminSql()<{ count: number }[]>`
      select coalesce(sum(count), 0)::int as count from public.telemetry_rollups_5m where integration_id = ${integration.id}`;
    expect(rolled!.count).toBe(stored!.points);

    // A device taken offline: its disconnect event flips it in the cache without waiting for a sync.
    const [online] = await adminSql()<{ thing_name: string }[]>`
      select thing_name from public.devices where integration_id = ${integration.id} and connected order by thing_name limit 1`;
    expect(online).toBeDefined();
    sim.control.takeDevicesOffline(DEMO_ACCOUNT_ID, { thingNames: [online!.thing_name] });
    await sim.control.flushRules();
    const [after] = await adminSql()<{ connected: boolean; status: string; disconnect_reason: string | null }[]>`
      select connected, status, disconnect_reason from public.devices where integration_id = ${integration.id} and thing_name = ${online!.thing_name}`;
    expect(after).toMatchObject({ connected: false, status: 'offline' });
  });

  it('rotates the secret of a managed set-up: the rules send the new header, so deliveries go on after the grace period', async () => {
    const scope = orgScopeFor(org, 'admin');
    const deps = { db: asService, runtime: { clients: integrationClients(testKeyring(), {}), db: asService }, appUrl };
    const rotated = await rotateIngestSecret(scope, { integrationId: integration.id }, deps);
    expect(rotated).toMatchObject({ managed: true, error: null, manual: null, secret: expect.stringMatching(/^fli_/) });
    expect(Date.parse(rotated.previousSecretExpiresAt!)).toBeGreaterThan(Date.now());
    // End the grace period at once: from now on only a rule carrying the new secret gets through.
    await adminSql()`update public.integration_live_data set previous_secret_expires_at = now() - interval '1 second' where integration_id = ${integration.id}`;
    const count = async () => (await adminSql()<{ n: number }[]>`select count(*)::int as n from public.telemetry_points where integration_id = ${integration.id}`)[0]!.n;
    const before = await count();
    sim.control.advanceTime(5 * 60_000);
    await sim.control.flushRules();
    expect(await count()).toBeGreaterThan(before);
  });

  it('undoes a rotation AWS refuses before any rule took the new secret: the old one stays current, nothing expires', async () => {
    // Capabilities say "may manage rules", but the key is denied every topic rule operation.
    const limited = await createSimIntegration(org, sim, { credentials: LIMITED_CREDENTIALS });
    await adminSql()`update public.integrations set capabilities = (select capabilities from public.integrations where id = ${integration.id}) where id = ${limited.id}`;
    const secret = await enableLiveDataForTest({ id: limited.id, orgId: org.id });
    const deps = { db: asService, runtime: { clients: integrationClients(testKeyring(), {}), db: asService }, appUrl };
    const refused = await rotateIngestSecret(orgScopeFor(org, 'admin'), { integrationId: limited.id }, deps);
    expect(refused).toMatchObject({ secret: null, previousSecretExpiresAt: null, managed: false, error: expect.stringContaining('AccessDenied') });
    const [row] = await adminSql()<{ secret_hash: Buffer; previous_secret_hash: Buffer | null; previous_secret_expires_at: Date | null; last_error: string }[]>`
      select secret_hash, previous_secret_hash, previous_secret_expires_at, last_error from public.integration_live_data where integration_id = ${limited.id}`;
    expect(row!.secret_hash).toEqual(hashIngestSecret(secret));
    expect(row).toMatchObject({ previous_secret_hash: null, previous_secret_expires_at: null, last_error: expect.stringContaining('AccessDenied') });
  });
});
