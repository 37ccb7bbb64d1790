import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListThingsCommand } from '@aws-sdk/client-iot';
import { GetThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CREDENTIALS, DEMO_EXTERNAL_ID, DEMO_REGION, DEMO_ROLE_ARN } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { OutboundAddressError } from '../net/outbound-guard';
import { assumeRoleProvider, createAwsClients } from './clients';

/**
 * Real SDK clients from createAwsClients against real servers on 127.0.0.1: the outbound-address
 * guard decides whether a socket is opened at all, and assume-role STS never goes to a tenant's host.
 */
let server: http.Server;
let url: string;
let connections = 0;
let requests: string[] = [];
let sim: RunningSimulator;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ things: [] }));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sim = await startTestSimulator({ things: 3 });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await sim?.close();
});

beforeEach(() => {
  connections = 0;
  requests = [];
});
afterEach(() => vi.unstubAllEnvs());

const tuning = { maxAttempts: 3, connectionTimeoutMs: 2_000, requestTimeoutMs: 5_000 };

describe('createAwsClients through the outbound-address guard', () => {
  it.each([
    ['the IP literal', (u: string) => u],
    ['a name resolving to it', (u: string) => u.replace('127.0.0.1', 'localhost')],
    ['its IPv4-mapped IPv6 form', (u: string) => u.replace('127.0.0.1', '[::ffff:127.0.0.1]')],
  ])('refuses loopback (%s) when it is not allowed: the server sees no connection', async (_, spell) => {
    vi.stubEnv('FLEETLINE_OUTBOUND_ALLOW_LOOPBACK', 'false');
    // IP literals are refused when the clients are built, names when the socket would open.
    const attempt = async () => {
      const clients = createAwsClients({ region: DEMO_REGION, customEndpoint: spell(url), iotDataEndpoint: null }, DEMO_CREDENTIALS, tuning);
      try {
        return await clients.iot.send(new ListThingsCommand({ maxResults: 1 }));
      } finally {
        clients.destroy();
      }
    };
    const error = await attempt().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundAddressError);
    expect((error as Error).message).toBe('This endpoint is not allowed.');
    expect(connections).toBe(0);
  });

  it('reaches it when loopback is allowed', async () => {
    vi.stubEnv('FLEETLINE_OUTBOUND_ALLOW_LOOPBACK', 'true');
    const clients = createAwsClients({ region: DEMO_REGION, customEndpoint: url, iotDataEndpoint: null }, DEMO_CREDENTIALS, tuning);
    try {
      await expect(clients.iot.send(new ListThingsCommand({ maxResults: 1 }))).resolves.toMatchObject({ things: [] });
      expect(connections).toBe(1);
      expect(requests[0]).toMatch(/^GET \/things/);
    } finally {
      clients.destroy();
    }
  });

  it('still works end to end against the simulator (data plane included)', async () => {
    vi.stubEnv('FLEETLINE_OUTBOUND_ALLOW_LOOPBACK', 'true');
    const clients = createAwsClients({ region: DEMO_REGION, customEndpoint: sim.url, iotDataEndpoint: null }, DEMO_CREDENTIALS, tuning);
    try {
      const page = await clients.iot.send(new ListThingsCommand({ maxResults: 1 }));
      const shadow = await clients.iotData.send(new GetThingShadowCommand({ thingName: page.things![0]!.thingName! }));
      expect(shadow.payload).toBeDefined();
    } finally {
      clients.destroy();
    }
  });
});

describe('assumeRoleProvider', () => {
  it('sends the STS call signed with Fleetline’s identity to the platform endpoint, never to the custom endpoint', async () => {
    const provider = assumeRoleProvider(
      { region: DEMO_REGION, roleArn: DEMO_ROLE_ARN, externalId: DEMO_EXTERNAL_ID, customEndpoint: url, integrationId: '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60' },
      { credentials: DEMO_CREDENTIALS, stsEndpoint: sim.url },
      tuning,
    );
    const credentials = await provider();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(connections).toBe(0);
    expect(requests).toEqual([]);
  });
});
