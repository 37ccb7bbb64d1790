import './load-env';
import { platformIdentityFromEnv } from '../src/lib/aws/clients';
import { asService, closeDatabase } from '../src/lib/db';
import { workerEnv } from '../src/lib/env';
import { logger } from '../src/lib/logger';
import { integrationClients } from '../src/features/integrations/runtime/clients';
import { startWorker } from '../src/worker/worker';

/**
 * npm run worker — the sync worker: schedules every integration by its interval and runs syncs.
 * Run as many as you like; SIGTERM/SIGINT stop it gracefully (a run in progress records its state).
 */
const env = workerEnv();
const log = logger.child({ component: 'worker' });
const worker = await startWorker({
  deps: { db: asService, clients: integrationClients(env.FLEETLINE_VAULT_KEYS, platformIdentityFromEnv()) },
  log,
  concurrency: env.WORKER_CONCURRENCY,
  pollingIntervalSeconds: env.WORKER_POLL_INTERVAL_SECONDS,
});

let exiting = false;
async function shutdown(signal: string) {
  if (exiting) return;
  exiting = true;
  log.info({ signal }, 'shutting down');
  try {
    await worker.stop();
    await closeDatabase();
    process.exit(0);
  } catch (error) {
    log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
