// `npm run bench:sim`: starts the fleet simulator with 100,000 things and quotas off in a child process,
// then measures the requests/s it sustains for SearchIndex, ListThings and GetThingShadow through the
// real SDK clients (bounded concurrency and duration). Prints one JSON object.

import { IoTClient, ListThingsCommand, SearchIndexCommand } from '@aws-sdk/client-iot';
import { GetThingShadowCommand, IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEMO_CREDENTIALS, DEMO_REGION } from '../sim/config';

const THINGS = 100_000;
const CONCURRENCY = 16;
const DURATION_MS = 4_000;
const WARMUP_MS = 500;

interface Health {
  rssBytes: number;
  heapUsedBytes: number;
  accounts: { accountId: string; things: number; seedMs: number }[];
}

async function startChild(): Promise<{ url: string; readyMs: number; stop: () => Promise<void> }> {
  const main = fileURLToPath(new URL('../sim/main.ts', import.meta.url));
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--port', '0', '--things', String(THINGS), '--no-quotas'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /ready at (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
  });
  const readyMs = performance.now() - started;
  return {
    url,
    readyMs,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Runs `call` from CONCURRENCY workers for DURATION_MS (after a short warm-up) and reports throughput. */
async function measure(call: (worker: number) => Promise<number>) {
  const warmupEnd = performance.now() + WARMUP_MS;
  const end = warmupEnd + DURATION_MS;
  const latencies: number[] = [];
  let items = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const n = await call(worker);
          if (t0 >= warmupEnd) {
            latencies.push(performance.now() - t0);
            items += n;
          }
        } catch {
          if (t0 >= warmupEnd) errors++;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const seconds = DURATION_MS / 1000;
  return {
    requests: latencies.length,
    requestsPerSec: Math.round(latencies.length / seconds),
    itemsPerSec: Math.round(items / seconds),
    p50Ms: Math.round(percentile(latencies, 0.5) * 10) / 10,
    p95Ms: Math.round(percentile(latencies, 0.95) * 10) / 10,
    errors,
  };
}

async function health(url: string): Promise<Health> {
  return (await fetch(`${url}/_sim/health`).then((r) => r.json())) as Health;
}

async function main(): Promise<void> {
  const sim = await startChild();
  try {
    const idle = await health(sim.url);
    const config = { endpoint: sim.url, region: DEMO_REGION, credentials: DEMO_CREDENTIALS, maxAttempts: 1 };
    const iot = new IoTClient(config);
    const data = new IoTDataPlaneClient(config);

    // Each worker walks its own page sequence, like a sync job following nextToken.
    const searchTokens: (string | undefined)[] = [];
    const searchIndex = await measure(async (w) => {
      const res = await iot.send(new SearchIndexCommand({ queryString: 'connectivity.connected:true', maxResults: 100, nextToken: searchTokens[w] }));
      searchTokens[w] = res.nextToken;
      return res.things?.length ?? 0;
    });
    const listTokens: (string | undefined)[] = [];
    const listThings = await measure(async (w) => {
      const res = await iot.send(new ListThingsCommand({ maxResults: 250, nextToken: listTokens[w] }));
      listTokens[w] = res.nextToken;
      return res.things?.length ?? 0;
    });
    let n = 0;
    const getThingShadow = await measure(async () => {
      n = (n + 7919) % THINGS;
      await data.send(new GetThingShadowCommand({ thingName: `sensor-${String(n + 1).padStart(6, '0')}` }));
      return 1;
    });
    const loaded = await health(sim.url);
    const demo = idle.accounts.find((a) => a.things === THINGS);
    const cpus = os.cpus();
    console.log(
      JSON.stringify(
        {
          benchmark: 'aws-fleet-simulator',
          machine: {
            platform: `${os.type()} ${os.release()} ${os.arch()}`,
            cpuModel: cpus[0]?.model ?? 'unknown',
            cpuCount: cpus.length,
            totalMemoryBytes: os.totalmem(),
            node: process.version,
          },
          fleet: { things: demo?.things ?? 0, seedMs: demo?.seedMs ?? null, processReadyMs: Math.round(sim.readyMs) },
          memory: { rssBytesAt100kIdle: idle.rssBytes, heapUsedBytesAt100kIdle: idle.heapUsedBytes, rssBytesAfterLoad: loaded.rssBytes },
          load: { concurrency: CONCURRENCY, durationMsPerOperation: DURATION_MS, quotas: 'off', client: 'AWS SDK v3, maxAttempts 1' },
          results: {
            SearchIndex: { query: 'connectivity.connected:true', pageSize: 100, ...searchIndex },
            ListThings: { pageSize: 250, ...listThings },
            GetThingShadow: getThingShadow,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await sim.stop();
  }
}

main().catch((err: unknown) => {
  console.error('bench:sim failed:', err);
  process.exit(1);
});
