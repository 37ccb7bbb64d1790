import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListThingsCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase, type Tx } from '@/lib/db';
import { DEMO_CREDENTIALS } from '../../../../scripts/sim/config';
import type { RunningSimulator } from '../../../../scripts/sim/server';
import { adminSql, as, asAnon, closeAdminSql, createTestOrg, testKeyring, type TestOrg } from '../../../../scripts/test/fixtures';
import { createSimIntegration, type SimIntegration } from '../../../../scripts/test/sync-fixtures';
import { integrationClients, openGovernedClients, type RuntimeDeps } from './clients';
import { loadIntegration } from './integration';

/**
 * The quota budget holds across processes: two runtimes with their own process state (as a worker
 * and the web app would have) call one integration's API as fast as they can; a stub AWS endpoint
 * counts what arrives, which must stay within budget × AWS's rate for both together.
 */
let server: Server;
let arrivals: number[] = [];
let org: TestOrg;

beforeAll(async () => {
  server = createServer((req, res) => {
    arrivals.push(performance.now());
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ things: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  org = await createTestOrg('quota-shared');
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await closeAdminSql();
  await closeDatabase();
});

const stubUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A database door of its own, so the runtime keeps process state of its own (its own borrowed tokens). */
const processDb = () => <T,>(fn: (tx: Tx) => Promise<T>) => asService(fn);

async function hammer(runtime: RuntimeDeps, integrationId: string, ms: number, workers: number): Promise<number> {
  const integration = (await loadIntegration(asService, integrationId, org.id))!;
  const aws = openGovernedClients(runtime, integration);
  const until = performance.now() + ms;
  let sent = 0;
  try {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (performance.now() < until) {
          await aws.clients.iot.send(new ListThingsCommand({ maxResults: 1 }));
          sent++;
        }
      }),
    );
  } finally {
    aws.close();
  }
  return sent;
}

async function stubIntegration(budget: number): Promise<SimIntegration> {
  return createSimIntegration(org, { url: stubUrl() } as RunningSimulator, { credentials: DEMO_CREDENTIALS, budget });
}

describe('the shared quota budget', () => {
  // ListThings: AWS allows 10/s; a budget of 0.5 makes it 5/s for the integration, burst of one second.
  const RATE = 5;
  const WINDOW_MS = 3_000;

  it('keeps two processes of one integration within budget × rate together', async () => {
    const integration = await stubIntegration(0.5);
    arrivals = [];
    const clients = integrationClients(testKeyring(), {});
    const [a, b] = await Promise.all([
      hammer({ clients, db: processDb() }, integration.id, WINDOW_MS, 6),
      hammer({ clients, db: processDb() }, integration.id, WINDOW_MS, 6),
    ]);
    const total = arrivals.length;
    const spanMs = arrivals.at(-1)! - arrivals[0]!;
    const busiestSecond = Math.max(...arrivals.map((t) => arrivals.filter((x) => x >= t && x < t + 1_000).length));
    console.log(`shared budget: ${a} + ${b} = ${total} requests over ${Math.round(spanMs)} ms at ${RATE}/s; busiest second ${busiestSecond}`);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    // Together: the one-second burst plus the rate over the time they took (two budgets would allow twice that).
    expect(total).toBeLessThanOrEqual(RATE + (RATE * spanMs) / 1000 + 1);
    expect(busiestSecond).toBeLessThanOrEqual(2 * RATE + 1);
    const [bucket] = await adminSql()<{ api: string }[]>`select api from public.aws_quota_buckets where integration_id = ${integration.id}`;
    expect(bucket?.api).toBe('ListThings');
  });

  it('is service-only: users and anonymous callers can neither lend tokens nor read the buckets', async () => {
    const integration = await stubIntegration(1);
    await expect(as(org.members.owner, (db) => db`select public.lend_aws_tokens(${integration.id}, 'ListThings', 1000, 1000)`)).rejects.toThrow(/permission denied/);
    await expect(as(org.members.owner, (db) => db`select * from public.aws_quota_buckets`)).rejects.toThrow(/permission denied/);
    await expect(asAnon((db) => db`select public.lend_aws_tokens(${integration.id}, 'ListThings', 1000, 1000)`)).rejects.toThrow(/permission denied/);
  });
});
