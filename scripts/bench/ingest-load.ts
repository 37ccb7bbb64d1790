// The load generator of `npm run bench:ingest`, in its own process so it never takes the server's
// CPU time slices inside one event loop: keep-alive HTTP, `concurrency` requests in flight, each a
// batch as the rules engine's HTTP action sends it (a JSON array of at most 10 messages, at most
// 128 KiB, the rule's `SELECT *, topic(2) AS thing, timestamp() AS ts` over the simulator's
// `dt/<thing>/telemetry` payloads), for `seconds`. Prints one JSON object with counts and latencies.

import http from 'node:http';

interface LoadConfig {
  url: string;
  secret: string;
  /** Things sensor-000001 … sensor-<devices>. */
  devices: number;
  seconds: number;
  concurrency: number;
  batch: number;
}

const MAX_BODY_BYTES = 128 * 1024;
const config = JSON.parse(process.argv[2]!) as LoadConfig;
const target = new URL(config.url);
const things = Array.from({ length: config.devices }, (_, i) => `sensor-${String(i + 1).padStart(6, '0')}`);
const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });

let cursor = 0;
let lastTs = 0;
/** One rules-engine batch: `batch` devices in turn, with the simulator's measures. */
function nextBody(): { body: string; points: number } {
  const messages: string[] = [];
  let points = 0;
  // Distinct timestamps per request so retried keys never make a point count twice.
  const ts = Math.max(Date.now(), lastTs + 1);
  lastTs = ts;
  for (let i = 0; i < config.batch; i++) {
    const thing = things[cursor++ % things.length]!;
    const t = (ts * 7 + i) % 3_600_000;
    const payload = {
      temperature: Math.round((21 + 6 * Math.sin(t / 600_000) + (cursor % 5)) * 100) / 100,
      battery: Math.round((95 - (cursor % 40) - t / 360_000) * 10) / 10,
      rssi: -50 - (cursor % 40),
      ts,
      thing,
    };
    messages.push(JSON.stringify(payload));
    points += 3;
  }
  const body = `[${messages.join(',')}]`;
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new Error('batch exceeds the rules engine limit');
  return { body, points };
}

function post(body: string): Promise<{ status: number; ms: number; accepted: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-fleetline-ingest-secret': config.secret },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let accepted = 0;
          try {
            accepted = Number((JSON.parse(Buffer.concat(chunks).toString()) as { points?: number }).points ?? 0);
          } catch {
            accepted = 0;
          }
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, accepted });
        });
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started, accepted: 0 }));
    req.end(body);
  });
}

async function main() {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let requests = 0;
  let pointsSent = 0;
  let pointsStored = 0;
  const started = performance.now();
  const deadline = started + config.seconds * 1000;
  const perSecond: number[] = [];
  async function worker() {
    while (performance.now() < deadline) {
      const { body, points } = nextBody();
      const r = await post(body);
      requests++;
      pointsSent += points;
      latencies.push(r.ms);
      statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
      if (r.status === 200) pointsStored += r.accepted;
      const second = Math.floor((performance.now() - started) / 1000);
      perSecond[second] = (perSecond[second] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: config.concurrency }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! * 100) / 100;
  agent.destroy();
  const ok = statuses['200'] ?? 0;
  console.log(
    JSON.stringify({
      seconds: Math.round(elapsedS * 100) / 100,
      concurrency: config.concurrency,
      messagesPerRequest: config.batch,
      requests,
      ok,
      errors: requests - ok,
      statuses,
      pointsSent,
      pointsStored,
      requestsPerSecond: Math.round(ok / elapsedS),
      pointsPerSecond: Math.round(pointsStored / elapsedS),
      ackMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: pct(1) },
      requestsPerSecondMinMax: perSecond.length > 2 ? [Math.min(...perSecond.slice(1, -1)), Math.max(...perSecond.slice(1, -1))] : null,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
