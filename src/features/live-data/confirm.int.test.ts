import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asService, closeDatabase, jobQueueDb } from '@/lib/db';
import { limitRoute, RateLimits } from '@/lib/rate-limit';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { adminSql, closeAdminSql, createTestOrg, silentLog, type TestOrg, testKeyring } from '../../../scripts/test/fixtures';
import { createSimIntegration, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { DEMO_CREDENTIALS } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { ingestLimits } from './config';
import { CONFIRMATION_HEADER, CONFIRMATION_TYPE } from './confirm';
import { handleIngestRequest, type LiveDataHttpDeps } from './http';
import { enableLiveDataForTest } from './test-support';

/**
 * Destination confirmation through the ingest route's handler, with the real AWS SDK (the
 * integration's runtime clients) against a tiny stub of the IoT endpoint that records what it got.
 */
let server: Server;
let org: TestOrg;
let integration: SimIntegration;
const requests: { method: string; url: string }[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

const deps: LiveDataHttpDeps = {
  ingest: { db: asService, writePoints: async () => ({ written: 0 }), limits: ingestLimits({}) },
  confirm: { db: asService, runtime: { clients: integrationClients(testKeyring(), {}), db: asService } },
};

const arnFor = (region = 'us-east-1') => `arn:aws:iot:${region}:111122223333:ruledestination/http/${randomUUID()}`;

function confirmation(body: unknown, integrationId = integration.id, handlerDeps: LiveDataHttpDeps = deps) {
  const request = new Request(`http://127.0.0.1/api/ingest/v1/${integrationId}`, {
    method: 'POST',
    headers: { [CONFIRMATION_HEADER]: CONFIRMATION_TYPE, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return handleIngestRequest(handlerDeps, request, integrationId);
}

async function liveRow() {
  const [row] = await adminSql()<{ destination_arn: string | null; destination_status: string | null; confirmation_token: string | null; last_error: string | null }[]>`
    select destination_arn, destination_status, confirmation_token, last_error from public.integration_live_data where integration_id = ${integration.id}`;
  return row!;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url! });
    req.resume();
    res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.status >= 400 ? { 'x-amzn-errortype': 'InvalidRequestException' } : {}) });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  org = await createTestOrg('live-confirm');
  integration = await createSimIntegration(org, { url } as RunningSimulator, { credentials: DEMO_CREDENTIALS });
  await enableLiveDataForTest(integration);
});

beforeEach(async () => {
  requests.length = 0;
  answer = { status: 200, body: {} };
  await adminSql()`update public.integration_live_data set destination_arn = null, destination_status = null, confirmation_token = null, last_error = null
    where integration_id = ${integration.id}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await closeAdminSql();
  await closeDatabase();
});

describe('destination confirmation', () => {
  it('calls ConfirmTopicRuleDestination with the token on the integration’s credentials and records the destination enabled', async () => {
    const arn = arnFor();
    const res = await confirmation({ arn, confirmationToken: 'tok-123/abc', enableUrl: 'https://iot.example/confirm' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ confirmed: true });
    expect(requests).toEqual([{ method: 'GET', url: '/confirmdestination/tok-123/abc' }]);
    expect(await liveRow()).toEqual({ destination_arn: arn, destination_status: 'ENABLED', confirmation_token: null, last_error: null });

    // A repeated message for the confirmed destination makes no further call.
    expect((await confirmation({ arn, confirmationToken: 'tok-123/abc' })).status).toBe(200);
    expect(requests).toHaveLength(1);
  });

  it('refuses a destination of another region, or another arn than the one set up, without calling AWS', async () => {
    expect((await confirmation({ arn: arnFor('eu-west-1'), confirmationToken: 't' })).status).toBe(400);
    const expected = arnFor();
    await adminSql()`update public.integration_live_data set destination_arn = ${expected}, destination_status = 'IN_PROGRESS' where integration_id = ${integration.id}`;
    expect((await confirmation({ arn: arnFor(), confirmationToken: 't' })).status).toBe(400);
    expect((await confirmation({ arn: 'arn:aws:iot:us-east-1:111122223333:rule/x', confirmationToken: 't' })).status).toBe(400);
    expect(requests).toEqual([]);
    expect((await liveRow()).destination_arn).toBe(expected);
  });

  it('refuses integrations that never switched live data on', async () => {
    const res = await confirmation({ arn: arnFor(), confirmationToken: 't' }, randomUUID());
    expect(res.status).toBe(400);
    expect(requests).toEqual([]);
  });

  it('records ERROR with the sanitized AWS error when the confirmation is refused', async () => {
    answer = { status: 400, body: { message: 'The confirmation token is invalid.' } };
    const arn = arnFor();
    const res = await confirmation({ arn, confirmationToken: 'expired' });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'confirmation_failed' });
    expect(await liveRow()).toMatchObject({ destination_arn: arn, destination_status: 'ERROR', confirmation_token: 'expired' });
    expect((await liveRow()).last_error).toContain('InvalidRequestException');
  });

  it('answers 429 once an integration got too many confirmation posts, before any AWS call', async () => {
    const limits = new RateLimits(jobQueueDb(), { env: { FLEETLINE_RATE_LIMIT_DESTINATION_CONFIRMATION: '1/600' }, log: silentLog });
    const once: LiveDataHttpDeps = { ...deps, limitConfirmation: (id) => limitRoute('destinationConfirmation', id, limits) };
    expect((await confirmation({ arn: arnFor(), confirmationToken: 'b' }, integration.id, once)).status).toBe(200);
    requests.length = 0;
    const res = await confirmation({ arn: arnFor(), confirmationToken: 'c' }, integration.id, once);
    expect(res.status).toBe(429);
    expect(requests).toEqual([]);
  });
});
