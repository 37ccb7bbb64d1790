// One HTTP server for every simulated service. A request is routed by the service in its SigV4
// credential scope (iot, iotdata, sts, timestream); /_sim/* is the unauthenticated admin API.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin';
import { DEFAULT_HOST } from './config';
import { dataPlaneRoutes } from './data-plane';
import { AwsError, serializeError, serviceError, type Service } from './errors';
import { createRng } from './hash';
import { findRoute, type Principal, type Reply, type RequestContext, type Route } from './http';
import { actionAllowed, permits } from './iam';
import { indexingRoutes } from './indexing';
import { jobRoutes } from './jobs-api';
import { registryRoutes } from './registry';
import { confirmByEnableUrl, ruleRoutes } from './rules-api';
import { parseAuthorization, verifySignature } from './sigv4';
import { KNOWN_REGIONS, Simulator, type SimulatorOptions } from './simulator';
import { handleSts, STS_ACTIONS, stsParams } from './sts';
import { handleTimestream, TIMESTREAM_ACTIONS } from './timestream';

export type { SimulatorOptions } from './simulator';
export { Simulator } from './simulator';

const IOT_ROUTES: Route[] = [...registryRoutes, ...indexingRoutes, ...jobRoutes, ...ruleRoutes];
const MAX_BODY_BYTES = 1024 * 1024;
const SERVICES: Service[] = ['iot', 'iotdata', 'sts', 'timestream'];

export interface RunningSimulator {
  url: string;
  port: number;
  /** State and control functions (reset, seed, quotas, faults, indexing, counters, clock, keys, roles). */
  control: Simulator;
  close(): Promise<void>;
}

/** Best guess of the service before the signature is parsed, so even auth errors have the right shape. */
function guessService(req: IncomingMessage, path: string): Service {
  if (req.headers['x-amz-target']) return 'timestream';
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return 'sts';
  if (/^\/things\/[^/]+\/shadow$/.test(path) || path.startsWith('/api/things/shadow/')) return 'iotdata';
  return 'iot';
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  if (res.headersSent || res.destroyed) return;
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'content-length': String(payload.length) });
  res.end(payload);
}

function sendError(sim: Simulator, res: ServerResponse, service: Service, error: AwsError): void {
  sim.countError(error.code);
  const s = serializeError(service, error, randomUUID());
  send(res, s.status, s.headers, s.body);
}

interface Resolved {
  operation: string;
  action: string;
  params: Record<string, string>;
  route?: Route;
  stsParams?: URLSearchParams;
}

function resolveOperation(service: Service, method: string, segments: string[], req: IncomingMessage, ctxBase: Pick<RequestContext, 'body' | 'query' | 'method'>): Resolved {
  if (service === 'iot' || service === 'iotdata') {
    const found = findRoute(service === 'iot' ? IOT_ROUTES : dataPlaneRoutes, method, segments);
    if (!found) {
      throw serviceError(service, 'unknownOperation', `The fleet simulator has no ${service} operation for ${method} /${segments.join('/')}`);
    }
    return { operation: found.route.operation, action: found.route.action, params: found.params, route: found.route };
  }
  if (service === 'timestream') {
    const target = String(req.headers['x-amz-target'] ?? '');
    const m = /^Timestream_20181101\.(\w+)$/.exec(target);
    if (method !== 'POST' || segments.length > 0 || !m || TIMESTREAM_ACTIONS[m[1]!] === undefined) {
      throw serviceError('timestream', 'unknownOperation', `Unknown operation ${target || method + ' /' + segments.join('/')}`);
    }
    return { operation: m[1]!, action: TIMESTREAM_ACTIONS[m[1]!]!, params: {} };
  }
  const params = stsParams(ctxBase);
  const action = params.get('Action') ?? '';
  if (segments.length > 0 || STS_ACTIONS[action] === undefined) {
    throw serviceError('sts', 'unknownOperation', `Could not find operation ${action || '(none)'} for version 2011-06-15`);
  }
  if (params.get('Version') !== '2011-06-15') {
    throw serviceError('sts', 'validation', 'Version must be 2011-06-15');
  }
  return { operation: action, action: STS_ACTIONS[action]!, params: {}, stsParams: params };
}

async function authenticate(
  sim: Simulator,
  req: IncomingMessage,
  service: Service,
  rawPath: string,
  rawQuery: string,
  body: Buffer,
): Promise<{ principal: Principal; service: Service; region: string }> {
  const header = req.headers.authorization;
  if (!header) throw serviceError(service, 'missingAuth', 'Missing Authentication Token');
  const auth = parseAuthorization(header);
  if (!auth) throw serviceError(service, 'invalidSignature', 'Authorization header requires a valid AWS4-HMAC-SHA256 Credential, SignedHeaders and Signature.');
  if (!SERVICES.includes(auth.service as Service)) {
    throw serviceError(service, 'invalidSignature', `Credential should be scoped to a valid service, not '${auth.service}'.`);
  }
  const scoped = auth.service as Service;
  if (!KNOWN_REGIONS.includes(auth.region)) {
    throw serviceError(scoped, 'invalidSignature', `Credential should be scoped to a valid region, not '${auth.region}'.`);
  }
  const key = sim.iam.resolve(auth.accessKeyId);
  const invalidToken = () => serviceError(scoped, 'unrecognizedClient', 'The security token included in the request is invalid.');
  let secret: string;
  let principal: Principal;
  let sessionToken: string | undefined;
  if (key.kind === 'unknown') throw invalidToken();
  if (key.kind === 'key') {
    secret = key.secretAccessKey;
    principal = key.principal;
  } else {
    const s = key.session;
    if (req.headers['x-amz-security-token'] !== s.sessionToken) throw invalidToken();
    if (Date.now() > s.expiresAtReal) throw serviceError(scoped, 'expiredToken', 'The security token included in the request is expired');
    secret = s.secretAccessKey;
    principal = s.principal;
    sessionToken = s.sessionToken;
  }
  const verified = await verifySignature({
    method: req.method ?? 'GET',
    rawPath,
    rawQuery,
    headers: req.headers,
    body,
    auth,
    secretAccessKey: secret,
    sessionToken,
  });
  if (!verified.ok) throw serviceError(scoped, 'invalidSignature', verified.reason);
  return { principal, service: scoped, region: auth.region };
}

function isLoopback(req: IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}

export function createRequestHandler(sim: Simulator) {
  const faultRng = { seed: NaN, next: createRng(0) };
  const random = () => {
    // Re-seeded whenever the fault settings change, so a given seed gives a repeatable fault sequence.
    if (faultRng.seed !== sim.settings.faults.seed) {
      faultRng.seed = sim.settings.faults.seed;
      faultRng.next = createRng(faultRng.seed);
    }
    return faultRng.next();
  };

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';

    const body = await readBody(req).catch(() => null);
    if (rawPath === '/_sim' || rawPath.startsWith('/_sim/')) {
      if (!isLoopback(req)) return send(res, 403, { 'content-type': 'application/json' }, '{"error":"admin API is loopback-only"}');
      return handleAdmin(sim, method, rawPath, rawQuery, body ?? Buffer.alloc(0), res);
    }

    // The enableUrl of a destination confirmation works without a signature, like AWS's (a browser opens it).
    if (method === 'GET' && !req.headers.authorization && rawPath.startsWith('/confirmdestination/')) {
      let token = '';
      try {
        token = decodeURIComponent(rawPath.slice('/confirmdestination/'.length));
      } catch {
        token = '';
      }
      const ok = token !== '' && confirmByEnableUrl(sim.accounts.values(), token, sim.now());
      return send(res, ok ? 200 : 400, { 'content-type': 'application/json' }, ok ? '{}' : '{"message":"The confirmation token is not valid."}');
    }

    let service = guessService(req, rawPath);
    let operation: string | null = null;
    let accountId: string | null = null;
    try {
      if (body === null) throw serviceError(service, 'tooLarge', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
      const faults = sim.settings.faults;
      const [minLatency, maxLatency] = faults.latencyMs;
      if (maxLatency > 0) {
        const delay = minLatency + random() * (maxLatency - minLatency);
        await new Promise((r) => setTimeout(r, delay));
      }

      const auth = await authenticate(sim, req, service, rawPath, rawQuery, body);
      service = auth.service;
      accountId = auth.principal.accountId;
      let segments: string[];
      let query: Record<string, string | string[]>;
      try {
        segments = rawPath.split('/').filter(Boolean).map(decodeURIComponent);
        query = {};
        for (const part of rawQuery.split('&').filter(Boolean)) {
          const eq = part.indexOf('=');
          const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
          const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
          const prev = query[k];
          query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
        }
      } catch {
        throw serviceError(service, 'validation', 'Malformed percent-encoding in the request URI');
      }
      const resolved = resolveOperation(service, method, segments, req, { body, query, method });
      operation = resolved.operation;
      const counterKey = `${service}:${operation}`;
      sim.count('calls', counterKey, accountId);

      if (resolved.action && !permits(auth.principal, resolved.action)) {
        throw serviceError(
          service,
          'accessDenied',
          `User: ${auth.principal.arn} is not authorized to perform: ${resolved.action} on resource: ${
            service === 'timestream' ? `arn:aws:timestream:${auth.region}:${accountId}:database/*` : `arn:aws:iot:${auth.region}:${accountId}:*`
          } ${
            actionAllowed(auth.principal.actions, resolved.action)
              ? 'with an explicit deny in an identity-based policy'
              : `because no identity-based policy allows the ${resolved.action} action`
          }`,
        );
      }

      const thing = resolved.route?.perThing ? resolved.params[resolved.route.perThing] : undefined;
      const faultApplies =
        (faults.operations === null || faults.operations.includes(operation)) &&
        (faults.things === null || (thing !== undefined && faults.things.includes(thing)));
      if (faultApplies && faults.resetRate > 0 && random() < faults.resetRate) {
        sim.counters.faults.resets++;
        req.socket.destroy();
        return;
      }
      if (faultApplies && faults.errorRate > 0 && random() < faults.errorRate) {
        sim.counters.faults.errors++;
        throw random() < 0.5
          ? serviceError(service, 'internal', 'Internal failure (injected by the fleet simulator).')
          : serviceError(service, 'unavailable', 'Service unavailable (injected by the fleet simulator).');
      }

      if (!sim.quotas.take(`${accountId}/${auth.region}`, operation, thing)) {
        sim.count('throttled', counterKey, accountId);
        throw serviceError(service, 'throttling', 'Rate exceeded');
      }

      const now = sim.now();
      const account = sim.account(accountId, auth.region);
      account.settle(now);
      const ctx: RequestContext = {
        sim,
        account,
        principal: auth.principal,
        service,
        region: auth.region,
        operation,
        now,
        method,
        params: resolved.params,
        query,
        body,
        headers: req.headers,
      };
      let reply: Reply;
      if (service === 'sts') reply = handleSts(ctx, resolved.stsParams!);
      else if (service === 'timestream') reply = handleTimestream(ctx);
      else reply = await resolved.route!.handler(ctx);
      send(res, reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json', 'x-amzn-requestid': randomUUID() }, reply.body);
    } catch (err) {
      if (err instanceof AwsError) return sendError(sim, res, service, err);
      // A bug in the simulator still answers in the service's shape, so clients see a 500, not a hang.
      console.error(`[sim] internal error in ${service}:${operation ?? '?'}:`, err);
      sendError(sim, res, service, serviceError(service, 'internal', 'Internal failure in the fleet simulator.'));
    }
  };
}

/** Starts the simulator; `port: 0` picks a free port (tests). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = new Simulator(options);
  const handler = createRequestHandler(sim);
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      console.error('[sim] unhandled error:', err);
      if (!res.headersSent) res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  // Unparseable HTTP (bad framing, invalid method) still gets an AWS-shaped answer before the socket closes.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = JSON.stringify({ message: `Malformed HTTP request (${err.code ?? 'parse error'})` });
    socket.end(
      'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nx-amzn-ErrorType: InvalidRequestException\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? DEFAULT_HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? DEFAULT_HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  sim.rulesEngine.publicUrl = url;
  return {
    url,
    port,
    control: sim,
    close: () =>
      new Promise<void>((resolve, reject) => {
        sim.rulesEngine.stop();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
