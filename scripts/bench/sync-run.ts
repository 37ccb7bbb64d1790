// Child process of `npm run bench:sync`: one sync of one integration through the real engine (the
// same runSync, clients and lease as `npm run sync`), so the bench can read this process's own peak RSS.
// Prints one JSON line: the run summary, wall time and process.resourceUsage().maxRSS.

import { parseArgs } from 'node:util';
import pino from 'pino';
import { integrationClients } from '../../src/features/integrations/runtime/clients';
import { runSync, type SyncTuning } from '../../src/features/sync/engine';
import { asService, closeDatabase } from '../../src/lib/db';
import { parseKeyring } from '../../src/lib/vault';
import { processUsage } from './usage';

const { values } = parseArgs({ options: { integration: { type: 'string' }, 'now-ms': { type: 'string' } } });
if (!values.integration || !values['now-ms']) {
  process.stderr.write('usage: sync-run.ts --integration <uuid> --now-ms <simulated epoch ms>\n');
  process.exit(2);
}
// The simulator's clock is frozen; device status is derived against it (as the tests do), so a second
// sync of an unchanged fleet sees exactly the same state however long the bench has been running.
const nowMs = Number(values['now-ms']);

const started = performance.now();
let code = 1;
try {
  const outcome = await runSync(
    {
      db: asService,
      clients: integrationClients(parseKeyring(process.env.FLEETLINE_VAULT_KEYS), {}),
      log: pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2)),
      now: () => nowMs,
      workerId: 'bench',
      // Experiments only (the bench itself runs the engine's defaults).
      ...(process.env.BENCH_TUNING ? { tuning: JSON.parse(process.env.BENCH_TUNING) as Partial<SyncTuning> } : {}),
    },
    { integrationId: values.integration, trigger: 'cli' },
  );
  const wallMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ outcome, wallMs, ...processUsage() })}\n`);
  code = outcome.outcome === 'ran' && outcome.run.status === 'succeeded' ? 0 : 1;
} finally {
  await closeDatabase();
}
process.exit(code);
