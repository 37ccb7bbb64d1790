// `npm run sim -- [flags]`: starts the AWS fleet simulator in the foreground. See scripts/sim/README.md.

import { parseArgs } from 'node:util';
import { DEFAULT_HOST, DEFAULT_PORT, DEMO_ACCOUNT_ID, DEMO_CREDENTIALS, DEMO_REGION, DEMO_SEED, DEMO_THINGS, type ThingIndexingMode } from './config';
import { startSimulator } from './server';
import type { SimulatorOptions } from './simulator';

const HELP = `AWS fleet simulator (IoT, Device Shadow, Jobs, Fleet Indexing, STS, Timestream Query)

  --port <n>            listen port (default ${DEFAULT_PORT}; 0 = any free port)
  --host <addr>         listen address (default ${DEFAULT_HOST})
  --things <n>          things in the demo account ${DEMO_ACCOUNT_ID} (default ${DEMO_THINGS})
  --seed <n>            fleet seed (default ${DEMO_SEED})
  --indexing <mode>     REGISTRY_AND_SHADOW | REGISTRY | OFF for the demo account
  --quota-factor <x>    scale AWS default rates (default 1)
  --no-quotas           disable throttling
  --latency-ms <a[-b]>  extra latency per request, fixed or a uniform range
  --error-rate <p>      share of requests answered 500/503 (0..1)
  --reset-rate <p>      share of connections dropped (0..1)
  --time-scale <x>      simulated seconds per real second (default 1)
  --convergence-ms <n>  delay before online devices apply desired state (default 5000)
  --external-id <id>    ExternalId required by the demo role
  --help`;

function fail(message: string): never {
  console.error(`sim: ${message}\n\n${HELP}`);
  process.exit(2);
}

function number(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number between ${min} and ${max}`);
  return n;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        things: { type: 'string' },
        seed: { type: 'string' },
        indexing: { type: 'string' },
        'quota-factor': { type: 'string' },
        'no-quotas': { type: 'boolean' },
        'latency-ms': { type: 'string' },
        'error-rate': { type: 'string' },
        'reset-rate': { type: 'string' },
        'time-scale': { type: 'string' },
        'convergence-ms': { type: 'string' },
        'external-id': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (args.help) {
    console.log(HELP);
    return;
  }
  const indexing = args.indexing;
  if (indexing !== undefined && !['REGISTRY_AND_SHADOW', 'REGISTRY', 'OFF'].includes(indexing)) {
    fail('--indexing must be REGISTRY_AND_SHADOW, REGISTRY or OFF');
  }
  let latency: [number, number] | undefined;
  if (args['latency-ms'] !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(args['latency-ms']);
    if (!m) fail('--latency-ms takes a number or a range such as 20-80');
    latency = [Number(m[1]), Number(m[2] ?? m[1])];
  }
  const options: SimulatorOptions = {
    port: number('port', args.port, 0, 65535) ?? DEFAULT_PORT,
    host: args.host ?? DEFAULT_HOST,
    things: number('things', args.things, 0, 999_999),
    seed: number('seed', args.seed, -2147483648, 4294967295),
    indexing: indexing as ThingIndexingMode | undefined,
    externalId: args['external-id'],
    quotas: {
      enabled: !args['no-quotas'],
      factor: number('quota-factor', args['quota-factor'], 0, 1000) ?? 1,
    },
    faults: {
      ...(latency ? { latencyMs: latency } : {}),
      errorRate: number('error-rate', args['error-rate'], 0, 1) ?? 0,
      resetRate: number('reset-rate', args['reset-rate'], 0, 1) ?? 0,
    },
    clock: { scale: number('time-scale', args['time-scale'], 0, 100_000) ?? 1 },
    behaviour: args['convergence-ms'] !== undefined ? { convergenceDelayMs: number('convergence-ms', args['convergence-ms'], 0, 86_400_000) } : {},
  };

  const started = performance.now();
  const sim = await startSimulator(options);
  const ms = Math.round(performance.now() - started);
  const demo = sim.control.listAccounts().find((a) => a.accountId === DEMO_ACCOUNT_ID);
  console.log(
    `AWS fleet simulator ready at ${sim.url} — ${demo?.things ?? 0} things in account ${DEMO_ACCOUNT_ID} (${DEMO_REGION}), ` +
      `seeded in ${ms} ms; demo key ${DEMO_CREDENTIALS.accessKeyId}; admin API ${sim.url}/_sim/health`,
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`sim: ${signal} received, shutting down`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('sim: failed to start:', err);
  process.exit(1);
});
