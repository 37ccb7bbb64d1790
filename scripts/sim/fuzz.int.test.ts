// Throws a few hundred random and malformed requests at the simulator (deterministic seed) and checks
// that every answer is AWS-shaped, that signed requests never fail signature checks, that nothing
// crashes into a 500, and that the server keeps serving afterwards.

import { Sha256 } from '@aws-crypto/sha256-js';
import { DescribeThingCommand } from '@aws-sdk/client-iot';
import { SignatureV4 } from '@smithy/signature-v4';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS, DEMO_EXTERNAL_ID, DEMO_ROLE_ARN } from './config';
import { createRng } from './hash';
import type { RunningSimulator } from './server';
import { clients, startTestSimulator } from './test-support';

let sim: RunningSimulator;
const rng = createRng(20261122);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string>, body: Buffer | string): Promise<RawResponse> {
  const url = new URL(sim.url);
  const framed = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: framed, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

function encodeQuery(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

async function signedSend(
  service: string,
  method: string,
  path: string,
  query: Record<string, string>,
  headers: Record<string, string>,
  body: string,
): Promise<RawResponse> {
  const url = new URL(sim.url);
  const signer = new SignatureV4({ credentials: DEMO_CREDENTIALS, region: 'us-east-1', service, sha256: Sha256 });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query,
    headers: { host: url.host, ...headers },
    body,
  });
  const qs = encodeQuery(query);
  return send(method, qs ? `${path}?${qs}` : path, signed.headers as Record<string, string>, body);
}

// --- generators ----------------------------------------------------------------------------------

const WEIRD = ['', ' ', 'sensor-000001', 'sensor-999999', 'ünïcødé', '%zz', '../..', "x'; DROP TABLE", 'a'.repeat(300), '{}', 'null', '*', 'sensor-000001/extra'];
const NUMBERS = ['0', '-1', '1', '250', '251', '100000', 'abc', '1.5', ''];

function randomJson(depth = 0): unknown {
  const r = rng();
  if (depth > 3 || r < 0.3) return pick([null, true, 42, -1.5, 'text', '', 'x'.repeat(int(0, 50))]);
  if (r < 0.6) return Array.from({ length: int(0, 3) }, () => randomJson(depth + 1));
  return Object.fromEntries(Array.from({ length: int(0, 4) }, () => [pick(['state', 'desired', 'reported', 'version', 'queryString', 'targets', 'document', 'maxResults', 'a']), randomJson(depth + 1)]));
}

function randomBody(): string {
  switch (int(0, 5)) {
    case 0:
      return '';
    case 1:
      return '{"broken": ';
    case 2:
      return JSON.stringify(randomJson());
    case 3:
      return String.fromCharCode(...Array.from({ length: int(1, 60) }, () => int(32, 126)));
    case 4:
      return JSON.stringify({ state: { desired: { blob: 'z'.repeat(int(5000, 12000)) } } });
    default:
      return '[1,2,3]';
  }
}

function randomIotRequest(): { method: string; path: string; query: Record<string, string>; body: string } {
  const seg = () => encodeURIComponent(pick(WEIRD)) || 'x';
  const routes: [string, string][] = [
    ['GET', '/things'],
    ['GET', `/things/${seg()}`],
    ['PATCH', `/things/${seg()}`],
    ['GET', '/thing-types'],
    ['GET', '/thing-groups'],
    ['GET', `/thing-groups/${seg()}/things`],
    ['GET', '/endpoint'],
    ['GET', '/indexing/config'],
    ['POST', '/indexing/config'],
    ['POST', '/indices/search'],
    ['POST', '/indices/statistics'],
    ['POST', '/indices/buckets'],
    ['PUT', `/jobs/${seg()}`],
    ['GET', '/jobs'],
    ['GET', `/jobs/${seg()}`],
    ['GET', `/jobs/${seg()}/things`],
    ['PUT', `/jobs/${seg()}/cancel`],
    ['DELETE', `/things/${seg()}`],
    ['GET', `/no/such/${seg()}`],
  ];
  const [method, path] = pick(routes);
  const query: Record<string, string> = {};
  for (let i = int(0, 3); i > 0; i--) {
    query[pick(['maxResults', 'nextToken', 'attributeName', 'attributeValue', 'thingTypeName', 'recursive', 'status', 'force', 'endpointType', 'name'])] = pick([...NUMBERS, ...WEIRD, 'true', 'false', 'IN_PROGRESS']);
  }
  let body = randomBody();
  if (path === '/indices/search' && rng() < 0.7) {
    const parts = ['thingName:sensor-*', 'AND', 'OR', 'NOT', '(', ')', 'shadow.reported.battery<', '[1 TO', '*x', 'connectivity.connected:true', '"unterminated', '\\', '-', 'attributes.site:berlin'];
    body = JSON.stringify({ queryString: Array.from({ length: int(1, 6) }, () => pick(parts)).join(' '), maxResults: pick([1, 100, 500, 0, -3, 'x']) });
  }
  return { method, path, query, body };
}

function randomSql(): string {
  const parts = ['SELECT', 'bin(time, 5m)', 'avg(measure_value::double)', 'FROM', '"fleetline_demo"."telemetry"', 'WHERE', "measure_name = 'rssi'", 'AND', 'OR', 'time > ago(1h)', 'GROUP BY', 'ORDER BY', 'thing_name', ',', '(', ')', "'", '"', ';', 'LIMIT 5', '7x', 'count(*)', 'from_iso8601_timestamp(\'2026-13-40\')'];
  return Array.from({ length: int(1, 12) }, () => pick(parts)).join(' ');
}

type Shape = 'rest-json' | 'json-1.0' | 'query' | 'success';

function checkShape(res: RawResponse, label: string): Shape {
  expect(res.status, label).toBeGreaterThanOrEqual(200);
  expect(res.status, label).toBeLessThan(500);
  if (res.status < 300) return 'success';
  const type = String(res.headers['content-type'] ?? '');
  if (type.startsWith('text/xml')) {
    expect(res.body, label).toMatch(/<ErrorResponse[\s\S]*<Code>\w+<\/Code>[\s\S]*<Message>/);
    return 'query';
  }
  let body: Record<string, unknown> = {};
  expect(() => (body = JSON.parse(res.body) as Record<string, unknown>), `${label} → ${res.status} ${type} ${res.body.slice(0, 200)}`).not.toThrow();
  if (type.startsWith('application/x-amz-json-1.0')) {
    expect(body.__type, label).toMatch(/#\w+$/);
    expect(typeof body.Message, label).toBe('string');
    return 'json-1.0';
  }
  expect(type, label).toBe('application/json');
  expect(res.headers['x-amzn-errortype'], label).toMatch(/^\w+$/);
  expect(typeof body.message, label).toBe('string');
  return 'rest-json';
}

beforeAll(async () => {
  sim = await startTestSimulator({ things: 30, seed: 4 });
});
afterAll(() => sim.close());

describe('fuzzing', () => {
  it('answers hundreds of random and malformed requests with AWS-shaped errors and keeps serving', async () => {
    const shapes = new Map<Shape, number>();
    const count = (s: Shape) => shapes.set(s, (shapes.get(s) ?? 0) + 1);

    for (let i = 0; i < 400; i++) {
      const kind = int(0, 6);
      let res: RawResponse;
      let label: string;
      if (kind === 0) {
        // Unsigned garbage with odd headers.
        const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
        const path = pick(['/', '/things', '/things/sensor-000001/shadow', '/indices/search', '/x/y/z', '/api/things/shadow/ListNamedShadowsForThing/a']);
        const headers: Record<string, string> = { [pick(['x-amz-date', 'content-type', 'x-amz-target', 'x-amz-security-token', 'x-custom'])]: pick(['garbage', 'application/x-www-form-urlencoded', 'Timestream_20181101.Query', 'a'.repeat(2000)]) };
        label = `unsigned ${method} ${path} ${JSON.stringify(headers).slice(0, 80)}`;
        res = await send(method, path, headers, randomBody());
      } else if (kind === 1) {
        // Malformed Authorization headers.
        const auth = pick([
          'AWS4-HMAC-SHA256',
          'Bearer abc',
          `AWS4-HMAC-SHA256 Credential=${DEMO_CREDENTIALS.accessKeyId}/20260101/us-east-1/iot/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
          `AWS4-HMAC-SHA256 Credential=${DEMO_CREDENTIALS.accessKeyId}/20260101/mars-1/iot/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
          `AWS4-HMAC-SHA256 Credential=${DEMO_CREDENTIALS.accessKeyId}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
        ]);
        label = `bad auth ${auth.slice(0, 60)}`;
        res = await send('GET', '/things', { authorization: auth, 'x-amz-date': pick(['20260101T000000Z', 'nope']) }, '');
        expect(res.status, label).toBe(403);
      } else if (kind <= 3) {
        const r = randomIotRequest();
        label = `iot ${r.method} ${r.path} ${JSON.stringify(r.query)} ${r.body.slice(0, 80)}`;
        res = await signedSend('iot', r.method, r.path, r.query, { 'content-type': 'application/json' }, r.body);
      } else if (kind === 4) {
        const thing = encodeURIComponent(pick(WEIRD)) || 'x';
        const method = pick(['GET', 'POST', 'DELETE']);
        const query: Record<string, string> = rng() < 0.3 ? { name: pick(WEIRD) } : {};
        const body = rng() < 0.5 ? randomBody() : JSON.stringify({ state: { desired: randomJson(), reported: randomJson() }, version: pick([1, 'x', -1, 9999]) });
        label = `iotdata ${method} ${thing} ${JSON.stringify(query)} ${body.slice(0, 80)}`;
        res = await signedSend('iotdata', method, `/things/${thing}/shadow`, query, { 'content-type': 'application/octet-stream' }, body);
      } else if (kind === 5) {
        const target = pick(['Timestream_20181101.Query', 'Timestream_20181101.Query', 'Timestream_20181101.DescribeEndpoints', 'Timestream_20181101.Nope', 'garbage']);
        const body = rng() < 0.8 ? JSON.stringify({ QueryString: randomSql(), MaxRows: pick([undefined, 1, 0, 5000, 'x']), NextToken: pick([undefined, 'bogus', '']) }) : randomBody();
        label = `timestream ${target} ${body.slice(0, 120)}`;
        res = await signedSend('timestream', 'POST', '/', {}, { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target }, body);
      } else {
        const params = new URLSearchParams({ Action: pick(['AssumeRole', 'GetCallerIdentity', 'Nope']), Version: pick(['2011-06-15', '2011-06-15', '1999']) });
        for (const [k, v] of [['RoleArn', pick([DEMO_ROLE_ARN, 'arn:bad', ''])], ['RoleSessionName', pick(['ok-session', 'bad name', ''])], ['ExternalId', pick([DEMO_EXTERNAL_ID, 'x', 'wrong-id'])], ['DurationSeconds', pick(NUMBERS)]] as const) {
          if (rng() < 0.7) params.set(k, v);
        }
        label = `sts ${params.toString().slice(0, 120)}`;
        res = await signedSend('sts', 'POST', '/', {}, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, params.toString());
      }
      const shape = checkShape(res, label);
      count(shape);
      if (kind >= 2) {
        // Correctly signed requests must pass SigV4 whatever their path, query or body look like.
        expect(res.headers['x-amzn-errortype'] ?? '', label).not.toBe('InvalidSignatureException');
        expect(res.body, label).not.toContain('SignatureDoesNotMatch');
        expect(res.body, label).not.toContain('"InvalidSignatureException"');
      }
    }

    // All protocols were exercised, and some fuzzed requests were valid enough to succeed.
    expect(shapes.get('rest-json')).toBeGreaterThan(50);
    expect(shapes.get('json-1.0')).toBeGreaterThan(10);
    expect(shapes.get('query')).toBeGreaterThan(5);
    expect(shapes.get('success')).toBeGreaterThan(5);
    const errors = sim.control.getCounters().errors;
    expect(errors.InternalFailureException ?? 0).toBe(0);
    expect(errors.InternalServerException ?? 0).toBe(0);

    const { iot } = clients(sim);
    const thing = await iot.send(new DescribeThingCommand({ thingName: 'sensor-000001' }));
    expect(thing.thingName).toBe('sensor-000001');
    const health = await fetch(`${sim.url}/_sim/health`).then((r) => r.json() as Promise<{ ok: boolean }>);
    expect(health.ok).toBe(true);
  });

  it('answers unparseable HTTP with an AWS-shaped 400 and closes the connection', async () => {
    const url = new URL(sim.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write('G@RBAGE /things HTTP/1.1\r\nHost: x\r\n\r\n'));
      let data = '';
      socket.on('data', (c) => (data += c.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/x-amzn-ErrorType: InvalidRequestException/i);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).message).toMatch(/Malformed HTTP request/);
  });
});
