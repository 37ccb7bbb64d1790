import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { getDeviceFacets, listDevices } from '@/features/devices/queries';
import { listMyOrganizations } from '@/features/orgs/queries';
import { DEMO_REGION } from '../../../scripts/sim/config';
import { seedFleet } from '../../../scripts/test/device-list-fixtures';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgScopeFor, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { issueDraft } from './draft';
import { listIntegrations } from './queries';
import { testConnectionSchema } from './schemas';
import { testConnection } from './service';

/**
 * Issue 11 item 3's proof: 20 parallel "test connection" calls of one organization against an
 * endpoint that accepts the TCP connection and never answers (with the production preflight
 * timeouts) do not stop another organization's page loads, because no transaction is held open
 * while AWS is awaited. Timings are printed for the record; only the qualitative facts are asserted.
 */
const CALLS = 20;
const PAGE_LOADS = 40;
const PAGE_CONCURRENCY = 4;

let tenant: TestOrg;
let neighbour: TestOrg;
let stall: Server;
let stallUrl: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  // Loopback is how the local stack reaches the simulator; the outbound guard allows it only when told.
  process.env.FLEETLINE_OUTBOUND_ALLOW_LOOPBACK = 'true';
  tenant = await createTestOrg('stall-tenant');
  neighbour = await createTestOrg('stall-neighbour');
  const ids: [string, string] = [(await createTestIntegration(neighbour)).id, (await createTestIntegration(neighbour)).id];
  await seedFleet(neighbour.id, ids);
  stall = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
  stallUrl = `http://127.0.0.1:${(stall.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => stall?.close(resolve));
  await closeAdminSql();
  await closeDatabase();
});

/** What the neighbour's devices page runs as its viewer: the workspace, then the list with its facets. */
async function pageLoad(): Promise<number> {
  const viewer = neighbour.members.viewer;
  const started = performance.now();
  await as(viewer, (db) => listMyOrganizations(db));
  await as(viewer, (db) => Promise.all([listDevices(db, neighbour.id, { filter: {} }), getDeviceFacets(db, neighbour.id), listIntegrations(db, neighbour.id)]));
  return performance.now() - started;
}

async function pageLoads(): Promise<{ ms: number[]; doneAt: number }> {
  const ms: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: PAGE_CONCURRENCY }, async () => {
      while (next++ < PAGE_LOADS) ms.push(await pageLoad());
    }),
  );
  return { ms, doneAt: performance.now() };
}

const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]! * 10) / 10;
};

function stalledTestConnection() {
  const draft = issueDraft(testKeyring(), tenant.id);
  const input = testConnectionSchema.parse({
    draft: { integrationId: draft.integrationId, externalId: draft.externalId, token: draft.token },
    connection: {
      authType: 'access_keys',
      region: DEMO_REGION,
      accessKeyId: 'AKIAFLEETLINESTALL01',
      secretAccessKey: 'FleetlineStallSecret+Local+Only+00000001',
      customEndpoint: stallUrl,
    },
  });
  return testConnection(orgScopeFor(tenant, 'admin'), input, { keyring: testKeyring(), platform: {} });
}

describe('a stalling custom endpoint', () => {
  it("does not stop another organization's page loads", async () => {
    await pageLoads(); // warm-up: plans, connections
    const baseline = await pageLoads();

    const started = performance.now();
    let firstSettledAt = Number.POSITIVE_INFINITY;
    const calls = Array.from({ length: CALLS }, () =>
      stalledTestConnection().finally(() => {
        firstSettledAt = Math.min(firstSettledAt, performance.now());
      }),
    );
    // Every call has reached the endpoint and waits on it.
    await expect.poll(() => sockets.size, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(CALLS);
    const during = await pageLoads();
    const stalledSockets = sockets.size;
    const [held] = await adminSql()<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where application_name = 'fleetline' and state like 'idle in transaction%'`;
    const reports = await Promise.all(calls);
    const callsMs = Math.round(performance.now() - started);

    console.log(
      JSON.stringify({
        stallTest: {
          parallelTestConnections: CALLS,
          pageLoads: PAGE_LOADS,
          pageP95MsWithoutStall: p95(baseline.ms),
          pageP95MsDuringStall: p95(during.ms),
          testConnectionsSettledMs: callsMs,
        },
      }),
    );
    // The neighbour's pages all loaded while every call was still stalled, none holding a transaction.
    expect(during.ms).toHaveLength(PAGE_LOADS);
    expect(during.doneAt).toBeLessThan(firstSettledAt);
    expect(stalledSockets).toBeGreaterThanOrEqual(CALLS);
    expect(held!.n).toBe(0);
    // Each call ends on its own timeout with an answer the user can act on, not a pool error.
    for (const report of reports) expect(report.authFailure).toMatchObject({ kind: 'unreachable' });
  }, 120_000);
});
