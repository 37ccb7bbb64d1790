import './load-env';
import http from 'node:http';
import { Readable } from 'node:stream';
import { closeDatabase, pingDatabase } from '../src/lib/db';
import { logger } from '../src/lib/logger';
import { ingestRuntime } from '../src/features/live-data/app-deps';
import { isDestinationConfirmation } from '../src/features/live-data/confirm';
import { handleIngestRequest } from '../src/features/live-data/http';
import { ingest } from '../src/features/live-data/ingest';

/**
 * npm run ingest — the standalone ingest server: the same `ingest()` as the Next.js route
 * (POST /api/ingest/v1/<integrationId>, same secret, limits, cache and write combiner), on plain
 * node:http, without the app server's per-request overhead. Run as many as you like next to the app
 * behind the same load balancer path; each keeps its own caches (5 s TTL) and rollup loop.
 * GET /health answers 200 while the database answers. SIGTERM/SIGINT: stop accepting, finish the
 * requests in flight, write the counters, fold queued rollups, close the pool.
 * INGEST_HOST (127.0.0.1), INGEST_PORT (3001; 3100 is the test stack's app port).
 */
const log = logger.child({ component: 'ingest-server' });
const host = process.env.INGEST_HOST ?? '127.0.0.1';
const port = Number(process.env.INGEST_PORT ?? 3001);
const PATH = /^\/api\/ingest\/v1\/([^/?]+)\/?$/;
const runtime = ingestRuntime();

function send(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** Reads at most `max` bytes; null as soon as the body is longer (the rest is not read). */
function readBody(req: http.IncomingMessage, max: number): Promise<string | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.off('data', onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

const headersOf = (req: http.IncomingMessage): Pick<Headers, 'get'> => ({
  get: (name) => {
    const v = req.headers[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  },
});

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  if (req.method === 'GET' && (url === '/health' || url === '/api/health')) {
    try {
      send(res, 200, { ok: true, dbMs: await pingDatabase() });
    } catch {
      send(res, 503, { ok: false });
    }
    return;
  }
  const match = PATH.exec(url);
  if (!match) return send(res, 404, { error: 'not_found' });
  if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
  const integrationId = decodeURIComponent(match[1]!);
  const headers = headersOf(req);
  if (isDestinationConfirmation(headers)) {
    // Rare: through the route's own handler, as a web Request.
    const request = new Request(`http://${host}${url}`, {
      method: 'POST',
      headers: Object.entries(req.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v] as [string, string]])),
      body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
    const response = await handleIngestRequest(runtime.deps, request, integrationId);
    return send(res, response.status, await response.json());
  }
  let tooLarge = false;
  const answer = await ingest(runtime.deps.ingest, {
    integrationId,
    headers,
    readBody: async (max) => {
      const text = await readBody(req, max);
      tooLarge = text === null;
      return text;
    },
  });
  // A body left unread cannot share the connection with the next request.
  send(res, answer.status, answer.body, tooLarge);
}

const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000 }, (req, res) => {
  handle(req, res).catch((error: unknown) => {
    log.error({ err: error }, 'ingest request failed');
    if (!res.headersSent) send(res, 500, { error: 'internal' }, true);
    else res.destroy();
  });
});
server.listen(port, host, () => log.info({ host, port }, 'ingest server listening'));

let exiting = false;
async function shutdown(signal: string) {
  if (exiting) return;
  exiting = true;
  log.info({ signal }, 'shutting down');
  try {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await runtime.stop();
    await closeDatabase();
    process.exit(0);
  } catch (error) {
    log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
