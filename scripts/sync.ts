import './load-env';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { platformIdentityFromEnv } from '../src/lib/aws/clients';
import { asService, closeDatabase } from '../src/lib/db';
import { workerEnv } from '../src/lib/env';
import pino from 'pino';
import { LOG_SERIALIZERS, REDACT_PATHS } from '../src/lib/logger';
import { integrationClients } from '../src/features/integrations/runtime/clients';
import { runSync } from '../src/features/sync/engine';
import { stopRequest } from '../src/features/sync/errors';

/**
 * npm run sync -- --integration <id> — one sync in the foreground, through the same lease as the
 * workers (it waits for nobody: a sync already running is reported as busy). Prints the run's
 * summary as JSON on stdout (logs go to stderr); exits 0 when the sync succeeded.
 */
const { values } = parseArgs({ options: { integration: { type: 'string', short: 'i' } } });
const integrationId = z.uuid().safeParse(values.integration);
if (!integrationId.success) {
  process.stderr.write('usage: npm run sync -- --integration <integration uuid>\n');
  process.exit(2);
}

const env = workerEnv();
// Logs on stderr, so stdout carries nothing but the JSON summary.
const log = pino({ level: env.LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: LOG_SERIALIZERS }, pino.destination(2));
const controller = new AbortController();
process.once('SIGINT', () => controller.abort(stopRequest('interrupted from the terminal')));
process.once('SIGTERM', () => controller.abort(stopRequest('terminated')));

let code = 1;
try {
  const outcome = await runSync(
    {
      db: asService,
      clients: integrationClients(env.FLEETLINE_VAULT_KEYS, platformIdentityFromEnv()),
      log: log.child({ component: 'sync-cli' }),
      signal: controller.signal,
      workerId: 'cli',
    },
    { integrationId: integrationId.data, trigger: 'cli' },
  );
  process.stdout.write(`${JSON.stringify(outcome.outcome === 'ran' ? outcome.run : outcome, null, 2)}\n`);
  code = outcome.outcome === 'ran' && outcome.run.status === 'succeeded' ? 0 : 1;
} finally {
  await closeDatabase();
}
process.exit(code);
