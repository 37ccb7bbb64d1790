import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfirmTopicRuleDestinationCommand,
  CreateTopicRuleCommand,
  CreateTopicRuleDestinationCommand,
  DeleteTopicRuleCommand,
  DeleteTopicRuleDestinationCommand,
  DescribeThingCommand,
  GetTopicRuleCommand,
  GetTopicRuleDestinationCommand,
  ListTopicRuleDestinationsCommand,
  ListTopicRulesCommand,
  ReplaceTopicRuleCommand,
  SearchIndexCommand,
  UpdateTopicRuleDestinationCommand,
  type HttpAction,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, LIMITED_CREDENTIALS, TELEMETRY_MEASURES } from './config';
import type { RuleTotals } from './rules';
import type { RunningSimulator } from './server';
import type { RulesView } from './simulator';
import { telemetryValue } from './telemetry';
import { clients, failure, startTestSimulator } from './test-support';

const MIN = 60_000;
const REPORT_MS = 5 * MIN;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A local HTTP endpoint standing in for Fleetline's ingest: records requests, answers per path. */
class Receiver {
  readonly requests: Received[] = [];
  private readonly answers = new Map<string, (n: number) => number>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const text = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ path, headers: req.headers, body: text ? JSON.parse(text) : null });
        const n = this.requests.filter((r) => r.path === path).length;
        res.writeHead(this.answers.get(path)?.(n) ?? 200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Status for the n-th request (1-based) to a path. */
  answer(path: string, status: (n: number) => number): void {
    this.answers.set(path, status);
  }

  at(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  clear(): void {
    this.requests.length = 0;
    this.answers.clear();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const THINGS = 20;
let sim: RunningSimulator;
let iot: IoTClient;
const rx = new Receiver();

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path}`).toBe(200);
  return (await res.json()) as T;
}
const flush = () => admin<RuleTotals>('POST', '/rules/flush');
const advance = (ms: number) => admin('POST', '/clock', { advanceMs: ms });

/** Creates an ENABLED destination for `${rx.url}${prefix}` through the full confirmation handshake. */
async function enabledDestination(prefix: string): Promise<string> {
  const out = await iot.send(new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: `${rx.url}${prefix}` } } }));
  await flush();
  const challenge = rx.at(prefix).at(-1)!.body as { confirmationToken: string };
  await iot.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: challenge.confirmationToken }));
  rx.clear();
  return out.topicRuleDestination!.arn!;
}

async function rule(ruleName: string, sql: string, http: Partial<HttpAction> & { url: string }, extra: { ruleDisabled?: boolean } = {}): Promise<void> {
  await iot.send(new CreateTopicRuleCommand({ ruleName, topicRulePayload: { sql, actions: [{ http }], awsIotSqlVersion: '2016-03-23', ...extra } }));
}

/** Things online at the current simulated time, through the fleet index. */
async function onlineThings(): Promise<string[]> {
  const res = await iot.send(new SearchIndexCommand({ queryString: 'connectivity.connected:true', maxResults: 100 }));
  return (res.things ?? []).map((t) => t.thingName!).sort();
}

beforeAll(async () => {
  await rx.start();
  sim = await startTestSimulator({ things: THINGS, rules: { delivery: 'manual', retryBackoffMs: 1 } });
  iot = clients(sim).iot;
});

afterAll(async () => {
  await sim.close();
  await rx.close();
});

beforeEach(async () => {
  await admin('POST', '/reset');
  rx.clear();
});

describe('topic rules API', () => {
  it('creates, reads, lists, replaces and deletes rules with AWS shapes and errors', async () => {
    const url = `${rx.url}/ingest`;
    await enabledDestination('/ingest');
    await rule('telemetry', "SELECT *, topic(2) AS thing, timestamp() AS ts FROM 'dt/+/telemetry'", { url, headers: [{ key: 'x-fleetline-ingest-secret', value: 's3cret' }] });
    await rule('presence', "SELECT * FROM '$aws/events/presence/+/+'", { url }, { ruleDisabled: true });

    const got = await iot.send(new GetTopicRuleCommand({ ruleName: 'telemetry' }));
    expect(got.ruleArn).toBe(`arn:aws:iot:us-east-1:${DEMO_ACCOUNT_ID}:rule/telemetry`);
    expect(got.rule).toMatchObject({
      ruleName: 'telemetry',
      sql: "SELECT *, topic(2) AS thing, timestamp() AS ts FROM 'dt/+/telemetry'",
      ruleDisabled: false,
      awsIotSqlVersion: '2016-03-23',
      actions: [{ http: { url, headers: [{ key: 'x-fleetline-ingest-secret', value: 's3cret' }] } }],
    });
    expect(got.rule!.createdAt).toBeInstanceOf(Date);

    const all = await iot.send(new ListTopicRulesCommand({}));
    expect(all.rules!.map((r) => [r.ruleName, r.topicPattern, r.ruleDisabled])).toEqual([
      ['presence', '$aws/events/presence/+/+', true],
      ['telemetry', 'dt/+/telemetry', false],
    ]);
    const page1 = await iot.send(new ListTopicRulesCommand({ maxResults: 1 }));
    expect(page1.rules!.map((r) => r.ruleName)).toEqual(['presence']);
    const page2 = await iot.send(new ListTopicRulesCommand({ maxResults: 1, nextToken: page1.nextToken }));
    expect(page2.rules!.map((r) => r.ruleName)).toEqual(['telemetry']);
    expect(page2.nextToken).toBeUndefined();
    expect((await iot.send(new ListTopicRulesCommand({ ruleDisabled: true }))).rules!.map((r) => r.ruleName)).toEqual(['presence']);
    expect((await iot.send(new ListTopicRulesCommand({ topic: 'dt/+/telemetry' }))).rules!.map((r) => r.ruleName)).toEqual(['telemetry']);

    await iot.send(new ReplaceTopicRuleCommand({ ruleName: 'presence', topicRulePayload: { sql: "SELECT * FROM '$aws/events/presence/disconnected/+'", actions: [{ http: { url } }] } }));
    const replaced = await iot.send(new GetTopicRuleCommand({ ruleName: 'presence' }));
    expect(replaced.rule).toMatchObject({ sql: "SELECT * FROM '$aws/events/presence/disconnected/+'", ruleDisabled: false, awsIotSqlVersion: '2015-10-08' });

    const dup = await failure(rule('telemetry', "SELECT * FROM 'x'", { url }));
    expect([dup.name, dup.$metadata.httpStatusCode]).toEqual(['ResourceAlreadyExistsException', 409]);
    await iot.send(new DeleteTopicRuleCommand({ ruleName: 'presence' }));
    const gone = await failure(iot.send(new GetTopicRuleCommand({ ruleName: 'presence' })));
    expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(['UnauthorizedException', 401]);
    const goneDelete = await failure(iot.send(new DeleteTopicRuleCommand({ ruleName: 'presence' })));
    expect(goneDelete.name).toBe('UnauthorizedException');
    const goneReplace = await failure(iot.send(new ReplaceTopicRuleCommand({ ruleName: 'nope', topicRulePayload: { sql: "SELECT * FROM 'a'", actions: [] } })));
    expect(goneReplace.name).toBe('UnauthorizedException');
  });

  it('rejects invalid payloads with InvalidRequestException or SqlParseException', async () => {
    const url = `${rx.url}/ingest`;
    const cases: [string, () => Promise<unknown>, string][] = [
      ['bad name', () => rule('bad-name', "SELECT * FROM 'a'", { url }), 'InvalidRequestException'],
      ['bad sql', () => rule('r1', "SELECT * FROM 'a' WHERE x = 1 OR y = 2", { url }), 'SqlParseException'],
      ['bad filter', () => rule('r2', "SELECT * FROM 'a/#/b'", { url }), 'SqlParseException'],
      ['bad url', () => rule('r3', "SELECT * FROM 'a'", { url: 'ftp://example.com/x' }), 'InvalidRequestException'],
      ['batch size', () => rule('r4', "SELECT * FROM 'a'", { url, enableBatching: true, batchConfig: { maxBatchSize: 11 } }), 'InvalidRequestException'],
      ['batch bytes', () => rule('r5', "SELECT * FROM 'a'", { url, enableBatching: true, batchConfig: { maxBatchSizeBytes: 131_073 } }), 'InvalidRequestException'],
      ['confirmation prefix', () => rule('r6', "SELECT * FROM 'a'", { url, confirmationUrl: 'https://elsewhere.example/' }), 'InvalidRequestException'],
      [
        'non-http action',
        () => iot.send(new CreateTopicRuleCommand({ ruleName: 'r7', topicRulePayload: { sql: "SELECT * FROM 'a'", actions: [{ republish: { roleArn: 'arn:aws:iam::111122223333:role/x', topic: 'b' } }] } })),
        'InvalidRequestException',
      ],
    ];
    for (const [label, call, name] of cases) {
      const err = await failure(call());
      expect([label, err.name, err.$metadata.httpStatusCode]).toEqual([label, name, 400]);
    }
    expect((await iot.send(new ListTopicRulesCommand({}))).rules).toEqual([]);
  });

  it('denies every rules and destinations action to the limited key, which keeps the rest of iot:*', async () => {
    const limited = clients(sim, { credentials: LIMITED_CREDENTIALS, maxAttempts: 1 }).iot;
    const payload = { sql: "SELECT * FROM 'a'", actions: [] };
    const arn = `arn:aws:iot:us-east-1:${DEMO_ACCOUNT_ID}:ruledestination/http/x`;
    const calls: [string, () => Promise<unknown>][] = [
      ['CreateTopicRule', () => limited.send(new CreateTopicRuleCommand({ ruleName: 'r', topicRulePayload: payload }))],
      ['GetTopicRule', () => limited.send(new GetTopicRuleCommand({ ruleName: 'r' }))],
      ['ListTopicRules', () => limited.send(new ListTopicRulesCommand({}))],
      ['ReplaceTopicRule', () => limited.send(new ReplaceTopicRuleCommand({ ruleName: 'r', topicRulePayload: payload }))],
      ['DeleteTopicRule', () => limited.send(new DeleteTopicRuleCommand({ ruleName: 'r' }))],
      ['CreateTopicRuleDestination', () => limited.send(new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: `${rx.url}/x` } } }))],
      ['GetTopicRuleDestination', () => limited.send(new GetTopicRuleDestinationCommand({ arn }))],
      ['ListTopicRuleDestinations', () => limited.send(new ListTopicRuleDestinationsCommand({}))],
      ['UpdateTopicRuleDestination', () => limited.send(new UpdateTopicRuleDestinationCommand({ arn, status: 'ENABLED' }))],
      ['ConfirmTopicRuleDestination', () => limited.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: 'abc' }))],
      ['DeleteTopicRuleDestination', () => limited.send(new DeleteTopicRuleDestinationCommand({ arn }))],
    ];
    for (const [op, call] of calls) {
      const err = await failure(call());
      expect([op, err.name, err.$metadata.httpStatusCode]).toEqual([op, 'AccessDeniedException', 403]);
      expect(err.message).toContain(`iot:${op}`);
    }
    await expect(limited.send(new DescribeThingCommand({ thingName: 'sensor-000001' }))).resolves.toMatchObject({ thingName: 'sensor-000001' });
    // The demo key (full access) is allowed.
    await expect(iot.send(new ListTopicRulesCommand({}))).resolves.toMatchObject({ rules: [] });
  });

  it('throttles the rules APIs per account like the other operations', async () => {
    const throttled = await startTestSimulator({ things: 1, quotas: { enabled: true, rates: { ListTopicRules: 1 } }, rules: { delivery: 'manual' } });
    try {
      const c = clients(throttled, { maxAttempts: 1 }).iot;
      await c.send(new ListTopicRulesCommand({}));
      const err = await failure(c.send(new ListTopicRulesCommand({})));
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['ThrottlingException', 400]);
      expect(throttled.control.getCounters().throttled['iot:ListTopicRules']).toBe(1);
    } finally {
      await throttled.close();
    }
  });
});

describe('topic rule destinations', () => {
  it('sends the confirmation POST, stays IN_PROGRESS until confirmed, then toggles ENABLED/DISABLED', async () => {
    const created = await iot.send(new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: `${rx.url}/confirm` } } }));
    const d = created.topicRuleDestination!;
    expect(d.arn).toMatch(new RegExp(`^arn:aws:iot:us-east-1:${DEMO_ACCOUNT_ID}:ruledestination/http/[0-9a-f-]{36}$`));
    expect(d.status).toBe('IN_PROGRESS');
    expect(d.httpUrlProperties).toEqual({ confirmationUrl: `${rx.url}/confirm` });

    const totals = await flush();
    expect(totals.confirmations).toEqual({ sent: 1, failed: 0 });
    const [challenge] = rx.at('/confirm');
    expect(challenge!.headers['x-amz-rules-engine-message-type']).toBe('DestinationConfirmation');
    expect(challenge!.headers['content-type']).toBe('application/json');
    const body = challenge!.body as { arn: string; confirmationToken: string; enableUrl: string };
    expect(Object.keys(body).sort()).toEqual(['arn', 'confirmationToken', 'enableUrl']);
    expect(body.arn).toBe(d.arn);
    expect(body.enableUrl).toBe(`${sim.url}/confirmdestination/${encodeURIComponent(body.confirmationToken)}`);

    expect((await iot.send(new GetTopicRuleDestinationCommand({ arn: d.arn }))).topicRuleDestination!.status).toBe('IN_PROGRESS');
    const early = await failure(iot.send(new UpdateTopicRuleDestinationCommand({ arn: d.arn, status: 'ENABLED' })));
    expect(early.name).toBe('InvalidRequestException');
    const wrong = await failure(iot.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: 'not-the-token' })));
    expect(wrong.name).toBe('InvalidRequestException');

    await iot.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: body.confirmationToken }));
    expect((await iot.send(new GetTopicRuleDestinationCommand({ arn: d.arn }))).topicRuleDestination!.status).toBe('ENABLED');
    await iot.send(new UpdateTopicRuleDestinationCommand({ arn: d.arn, status: 'DISABLED' }));
    expect((await iot.send(new GetTopicRuleDestinationCommand({ arn: d.arn }))).topicRuleDestination!.status).toBe('DISABLED');
    await iot.send(new UpdateTopicRuleDestinationCommand({ arn: d.arn, status: 'ENABLED' }));

    const listed = await iot.send(new ListTopicRuleDestinationsCommand({}));
    expect(listed.destinationSummaries!.map((s) => [s.arn, s.status, s.httpUrlSummary?.confirmationUrl])).toEqual([[d.arn, 'ENABLED', `${rx.url}/confirm`]]);

    const dup = await failure(iot.send(new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: `${rx.url}/confirm` } } })));
    expect([dup.name, dup.$metadata.httpStatusCode]).toEqual(['ResourceAlreadyExistsException', 409]);

    await rule('uses_it', "SELECT * FROM 'a'", { url: `${rx.url}/confirm/sub` });
    const inUse = await failure(iot.send(new DeleteTopicRuleDestinationCommand({ arn: d.arn })));
    expect(inUse.name).toBe('ConflictingResourceUpdateException');
    await iot.send(new DeleteTopicRuleCommand({ ruleName: 'uses_it' }));
    await iot.send(new DeleteTopicRuleDestinationCommand({ arn: d.arn }));
    const gone = await failure(iot.send(new GetTopicRuleDestinationCommand({ arn: d.arn })));
    expect(gone.name).toBe('UnauthorizedException');
  });

  it('confirms through the unsigned enableUrl too', async () => {
    const { topicRuleDestination: d } = await iot.send(new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: `${rx.url}/browser` } } }));
    await flush();
    const { enableUrl } = rx.at('/browser')[0]!.body as { enableUrl: string };
    expect((await fetch(`${sim.url}/confirmdestination/nope`)).status).toBe(400);
    expect((await fetch(enableUrl)).status).toBe(200);
    expect((await iot.send(new GetTopicRuleDestinationCommand({ arn: d!.arn }))).topicRuleDestination!.status).toBe('ENABLED');
  });

  it('turns ERROR when the confirmation cannot be delivered, and IN_PROGRESS sends a new challenge', async () => {
    rx.answer('/down', (n) => (n <= 3 ? 503 : 200));
    const { topicRuleDestination: d } = await iot.send(new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: `${rx.url}/down` } } }));
    const totals = await flush();
    expect(rx.at('/down')).toHaveLength(3);
    expect(totals.confirmations).toEqual({ sent: 0, failed: 1 });
    const failed = (await iot.send(new GetTopicRuleDestinationCommand({ arn: d!.arn }))).topicRuleDestination!;
    expect(failed.status).toBe('ERROR');
    expect(failed.statusReason).toContain('HTTP 503');

    await iot.send(new UpdateTopicRuleDestinationCommand({ arn: d!.arn, status: 'IN_PROGRESS' }));
    await flush();
    const tokens = rx.at('/down').map((r) => (r.body as { confirmationToken: string }).confirmationToken);
    expect(tokens).toHaveLength(4);
    expect(tokens[3]).not.toBe(tokens[0]);
    await iot.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: tokens[3]! }));
    expect((await iot.send(new GetTopicRuleDestinationCommand({ arn: d!.arn }))).topicRuleDestination!.status).toBe('ENABLED');
  });

  it('creates a destination for an http action URL that none covers, as AWS does', async () => {
    await rule('auto', "SELECT * FROM 'a'", { url: `${rx.url}/auto/x`, confirmationUrl: `${rx.url}/auto` });
    const listed = await iot.send(new ListTopicRuleDestinationsCommand({}));
    expect(listed.destinationSummaries!.map((s) => [s.status, s.httpUrlSummary?.confirmationUrl])).toEqual([['IN_PROGRESS', `${rx.url}/auto`]]);
    await flush();
    expect(rx.at('/auto')).toHaveLength(1);
  });
});

describe('delivery of the living fleet through HTTP actions', () => {
  type Telemetry = { thing: string; ts: number; battery: number; temperature: number; rssi: number };

  it('delivers every online device report as one POST per message with the rule headers and SQL output', async () => {
    await enabledDestination('/ingest');
    await rule('telemetry', "SELECT *, topic(2) AS thing, timestamp() AS ts FROM 'dt/+/telemetry'", {
      url: `${rx.url}/ingest/v1/int-1`,
      headers: [{ key: 'x-fleetline-ingest-secret', value: 's3cret' }],
    });
    expect((await flush()).requests).toBe(0); // frozen clock: nothing reported yet

    const { nowMs } = await advance(REPORT_MS) as { nowMs: number };
    const online = await onlineThings();
    expect(online.length).toBeGreaterThan(10);
    const totals = await flush();
    const got = rx.at('/ingest/v1/int-1');
    expect(got).toHaveLength(online.length);
    expect(totals).toMatchObject({ published: { telemetry: online.length, presence: 0 }, matched: online.length, delivered: online.length, requests: online.length });
    expect(got.map((r) => (r.body as Telemetry).thing).sort()).toEqual(online);
    for (const r of got) {
      expect(r.headers['x-fleetline-ingest-secret']).toBe('s3cret');
      expect(r.headers['content-type']).toBe('application/json');
      const b = r.body as Telemetry;
      expect(Object.keys(b).sort()).toEqual(['battery', 'rssi', 'temperature', 'thing', 'ts']);
      expect(b.ts).toBe(nowMs);
      for (const m of TELEMETRY_MEASURES) expect(b[m]).toBe(telemetryValue(b.thing, m, nowMs));
    }
    // A second flush without time passing sends nothing again.
    await flush();
    expect(rx.at('/ingest/v1/int-1')).toHaveLength(online.length);

    const view = await admin<RulesView>('GET', '/rules');
    expect(view.accounts[0]!.rules[0]).toMatchObject({ ruleName: 'telemetry', counters: { matched: online.length, delivered: online.length, lastStatus: 200 } });
    expect((await admin<{ rules: RuleTotals }>('GET', '/counters')).rules.delivered).toBe(online.length);
  });

  it('delivers lifecycle events when a device control takes a device offline and back', async () => {
    await enabledDestination('/presence');
    await rule('presence', "SELECT * FROM '$aws/events/presence/+/+'", { url: `${rx.url}/presence` });
    const [thing] = await onlineThings();
    const off = await admin<{ thingNames: string[]; atMs: number }>('POST', `/accounts/${DEMO_ACCOUNT_ID}/devices/offline`, { thingNames: [thing], reason: 'MQTT_KEEP_ALIVE_TIMEOUT' });
    expect(off.thingNames).toEqual([thing]);
    await flush();
    const [down] = rx.at('/presence');
    expect(down!.body).toMatchObject({
      clientId: thing,
      eventType: 'disconnected',
      timestamp: off.atMs,
      disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT',
      clientInitiatedDisconnect: false,
      versionNumber: 1,
    });
    const event = down!.body as Record<string, unknown>;
    expect(event.sessionIdentifier).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(event.principalIdentifier).toMatch(/^[0-9a-f]{64}$/);

    await advance(MIN);
    const on = await admin<{ atMs: number }>('POST', `/accounts/${DEMO_ACCOUNT_ID}/devices/online`, { thingNames: [thing] });
    await flush();
    const events = rx.at('/presence').map((r) => r.body as Record<string, unknown>);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ clientId: thing, eventType: 'connected', timestamp: on.atMs, versionNumber: 2 });
    expect(events[1]!.ipAddress).toMatch(/^10\.\d+\.\d+\.\d+$/);
  });

  it('delivers the natural model’s connects and disconnects as time passes, in order per device', async () => {
    await enabledDestination('/presence');
    await rule('presence', "SELECT *, topic(4) AS kind FROM '$aws/events/presence/+/+'", { url: `${rx.url}/presence` });
    await admin('PUT', '/rules/settings', { maxCatchUpMs: 24 * 60 * MIN });
    await admin('POST', `/accounts/${DEMO_ACCOUNT_ID}/seed`, { things: 300, seed: 5 });
    const before = new Set(await onlineThingsAll());
    await advance(12 * 60 * MIN);
    await flush();
    const after = new Set(await onlineThingsAll());
    const events = rx.at('/presence').map((r) => r.body as { clientId: string; eventType: string; kind: string; timestamp: number; versionNumber: number });
    expect(events.length).toBeGreaterThan(0);
    const byThing = new Map<string, typeof events>();
    for (const e of events) byThing.set(e.clientId, [...(byThing.get(e.clientId) ?? []), e]);
    for (const [thing, unordered] of byThing) {
      // Requests run in parallel, so arrival order is not event order (nor is it in AWS): versionNumber is.
      const list = unordered.sort((x, y) => x.versionNumber - y.versionNumber);
      expect(list.map((e) => e.versionNumber)).toEqual(list.map((_, i) => i + 1));
      // Alternating, time-ordered, starting from the state before and ending in the state after.
      list.forEach((e, i) => {
        expect(e.kind).toBe(e.eventType);
        expect(e.eventType).toBe((before.has(thing) ? i % 2 === 0 : i % 2 === 1) ? 'disconnected' : 'connected');
        if (i > 0) expect(e.timestamp).toBeGreaterThan(list[i - 1]!.timestamp);
      });
      expect(list.at(-1)!.eventType === 'connected').toBe(after.has(thing));
    }
    for (const thing of new Set([...before, ...after])) if (before.has(thing) !== after.has(thing)) expect(byThing.has(thing)).toBe(true);
  });

  it('applies WHERE and keeps disabled rules silent', async () => {
    await enabledDestination('/ingest');
    await rule('weak', "SELECT topic(2) AS thing, rssi FROM 'dt/+/telemetry' WHERE rssi < -70 AND battery > 0", { url: `${rx.url}/ingest/weak` });
    await rule('off', "SELECT * FROM 'dt/+/telemetry'", { url: `${rx.url}/ingest/off` }, { ruleDisabled: true });
    const { nowMs } = await advance(REPORT_MS) as { nowMs: number };
    const online = await onlineThings();
    await flush();
    const expected = online.filter((t) => telemetryValue(t, 'rssi', nowMs) < -70).sort();
    const got = rx.at('/ingest/weak').map((r) => r.body as { thing: string; rssi: number });
    expect(got.map((b) => b.thing).sort()).toEqual(expected);
    for (const b of got) expect(Object.keys(b).sort()).toEqual(['rssi', 'thing']);
    expect(rx.at('/ingest/off')).toHaveLength(0);
  });

  it('batches as JSON arrays within maxBatchSize and maxBatchSizeBytes, per topic unless batchAcrossTopics', async () => {
    await enabledDestination('/ingest');
    const sql = "SELECT *, topic(2) AS thing, timestamp() AS ts FROM 'dt/+/telemetry'";
    await rule('across', sql, { url: `${rx.url}/ingest/across`, enableBatching: true, batchConfig: { maxBatchSize: 10, maxBatchSizeBytes: 131_072, batchAcrossTopics: true } });
    await rule('small', sql, { url: `${rx.url}/ingest/small`, enableBatching: true, batchConfig: { maxBatchSizeBytes: 300, batchAcrossTopics: true } });
    await rule('pertopic', sql, { url: `${rx.url}/ingest/pertopic`, enableBatching: true });
    await rule('nobatch', sql, { url: `${rx.url}/ingest/nobatch`, batchConfig: { maxBatchSize: 5 } });
    await advance(2 * REPORT_MS);
    await flush();
    const n = rx.at('/ingest/nobatch').length;
    expect(n).toBeGreaterThan(20);
    for (const r of rx.at('/ingest/nobatch')) expect(Array.isArray(r.body)).toBe(false);

    const across = rx.at('/ingest/across');
    expect(across).toHaveLength(Math.ceil(n / 10));
    for (const r of across) {
      expect(Array.isArray(r.body)).toBe(true);
      expect((r.body as unknown[]).length).toBeLessThanOrEqual(10);
    }
    expect(across.flatMap((r) => r.body as unknown[])).toHaveLength(n);

    const small = rx.at('/ingest/small');
    expect(small.length).toBeGreaterThan(across.length);
    for (const r of small) expect(Buffer.byteLength(JSON.stringify(r.body))).toBeLessThanOrEqual(300);
    expect(small.flatMap((r) => r.body as unknown[])).toHaveLength(n);

    // Same-topic batching: each device's two reports travel together.
    const perTopic = rx.at('/ingest/pertopic');
    expect(perTopic.flatMap((r) => r.body as unknown[])).toHaveLength(n);
    for (const r of perTopic) expect(new Set((r.body as { thing: string }[]).map((b) => b.thing)).size).toBe(1);
    expect(perTopic.length).toBeLessThan(n);
  });

  it('retries on 5xx with back-off, then drops and counts; 4xx is not retried', async () => {
    await enabledDestination('/ingest');
    // One request at a time, so "every first try fails, the retry succeeds" holds per message.
    await admin('PUT', '/rules/settings', { concurrency: 1 });
    rx.answer('/ingest/flaky', (k) => (k % 2 === 1 ? 500 : 200));
    rx.answer('/ingest/down', () => 503);
    rx.answer('/ingest/reject', () => 401);
    const [thing] = await onlineThings();
    const sql = `SELECT *, topic(2) AS thing FROM 'dt/${thing}/telemetry'`;
    await rule('flaky', sql, { url: `${rx.url}/ingest/flaky` });
    await rule('down', sql, { url: `${rx.url}/ingest/down` });
    await rule('reject', sql, { url: `${rx.url}/ingest/reject` });
    let sent = 0;
    for (let tick = 0; tick < 3; tick++) {
      await advance(REPORT_MS);
      if ((await onlineThings()).includes(thing!)) sent++;
    }
    expect(sent).toBeGreaterThan(0);
    await flush();
    const view = await admin<RulesView>('GET', '/rules');
    const counters = Object.fromEntries(view.accounts[0]!.rules.map((r) => [r.ruleName, r.counters]));
    expect(counters.flaky).toMatchObject({ matched: sent, delivered: sent, requests: 2 * sent, failedAttempts: sent, retries: sent, dropped: {} });
    expect(counters.down).toMatchObject({ matched: sent, delivered: 0, requests: 3 * sent, failedAttempts: 3 * sent, retries: 2 * sent, dropped: { retriesExhausted: sent }, lastStatus: 503 });
    expect(counters.reject).toMatchObject({ delivered: 0, requests: sent, retries: 0, dropped: { clientError: sent }, lastStatus: 401 });
    expect(rx.at('/ingest/down')).toHaveLength(3 * sent);
    expect(view.totals.dropped).toEqual({ retriesExhausted: sent, clientError: sent });
  });

  it('announces reconnects from clearing every control, and offline devices publish no telemetry', async () => {
    await enabledDestination('/ingest');
    await rule('presence', "SELECT clientId, eventType FROM '$aws/events/presence/+/+'", { url: `${rx.url}/ingest/presence` });
    await rule('telemetry', "SELECT topic(2) AS thing FROM 'dt/+/telemetry'", { url: `${rx.url}/ingest/telemetry` });
    const held = (await onlineThings()).slice(0, 2);
    await admin('POST', `/accounts/${DEMO_ACCOUNT_ID}/devices/offline`, { thingNames: held });
    await advance(REPORT_MS);
    const online = await onlineThings();
    await advance(MIN); // reconnecting exactly at a tick would report at that tick (as the shadow does)
    await admin('POST', `/accounts/${DEMO_ACCOUNT_ID}/devices/clear`, {});
    await flush();
    const events = rx.at('/ingest/presence').map((r) => r.body as { clientId: string; eventType: string });
    expect(events.filter((e) => e.eventType === 'disconnected').map((e) => e.clientId).sort()).toEqual([...held].sort());
    expect(events.filter((e) => e.eventType === 'connected').map((e) => e.clientId).sort()).toEqual([...held].sort());
    const reporters = rx.at('/ingest/telemetry').map((r) => (r.body as { thing: string }).thing).sort();
    expect(reporters).toEqual(online);
    for (const thing of held) expect(reporters).not.toContain(thing);
  });

  it('generates at most maxCatchUpMs of simulated time per pump and counts what it skipped', async () => {
    await enabledDestination('/ingest');
    await rule('telemetry', "SELECT ts FROM 'dt/sensor-000001/telemetry'", { url: `${rx.url}/ingest/one` });
    await admin('PUT', '/rules/settings', { maxCatchUpMs: 30 * MIN });
    const { nowMs } = await advance(2 * 60 * MIN) as { nowMs: number };
    const totals = await flush();
    expect(totals.skippedMs).toBe(90 * MIN);
    const stamps = rx.at('/ingest/one').map((r) => (r.body as { ts: number }).ts);
    for (const ts of stamps) expect(ts).toBeGreaterThan(nowMs - 30 * MIN);
    expect(stamps.length).toBeLessThanOrEqual(6);
  });

  it('drops messages for a destination that is not ENABLED, and counts them', async () => {
    const arn = await enabledDestination('/ingest');
    await iot.send(new UpdateTopicRuleDestinationCommand({ arn, status: 'DISABLED' }));
    await rule('telemetry', "SELECT * FROM 'dt/+/telemetry'", { url: `${rx.url}/ingest/x` });
    await advance(REPORT_MS);
    const online = await onlineThings();
    const totals = await flush();
    expect(rx.at('/ingest/x')).toHaveLength(0);
    expect(totals.dropped).toEqual({ destinationNotEnabled: online.length });
  });
});

/** Online things of a fleet larger than one SearchIndex page. */
async function onlineThingsAll(): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const res = await iot.send(new SearchIndexCommand({ queryString: 'connectivity.connected:true', maxResults: 100, nextToken }));
    out.push(...(res.things ?? []).map((t) => t.thingName!));
    nextToken = res.nextToken;
  } while (nextToken);
  return out.sort();
}

describe('automatic delivery (default settings)', () => {
  it('delivers the confirmation and a disconnect event within seconds without a flush', async () => {
    const auto = await startTestSimulator({ things: 20 });
    try {
      const c = clients(auto).iot;
      const waitFor = async <T>(get: () => T | undefined, ms: number): Promise<T> => {
        const deadline = Date.now() + ms;
        for (;;) {
          const v = get();
          if (v !== undefined) return v;
          if (Date.now() > deadline) throw new Error(`nothing arrived within ${ms} ms`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await c.send(new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: `${rx.url}/auto-live` } } }));
      const challenge = await waitFor(() => rx.at('/auto-live')[0]?.body as { confirmationToken: string } | undefined, 2000);
      await c.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: challenge.confirmationToken }));
      await c.send(new CreateTopicRuleCommand({ ruleName: 'presence', topicRulePayload: { sql: "SELECT * FROM '$aws/events/presence/+/+'", actions: [{ http: { url: `${rx.url}/auto-live/presence` } }] } }));
      const res = await c.send(new SearchIndexCommand({ queryString: 'connectivity.connected:true', maxResults: 1 }));
      const thing = res.things![0]!.thingName!;
      const started = Date.now();
      auto.control.takeDevicesOffline(DEMO_ACCOUNT_ID, { thingNames: [thing] });
      const event = await waitFor(() => rx.at('/auto-live/presence')[0]?.body as { clientId: string; eventType: string } | undefined, 2000);
      expect(event).toMatchObject({ clientId: thing, eventType: 'disconnected' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await auto.close();
    }
  });
});
