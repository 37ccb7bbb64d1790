import type PgBoss from 'pg-boss';
import { createBoss, createQueues } from './queues';

/**
 * The job queue as the web process uses it (Sync now, the cron route): started once per process,
 * with no maintenance or cron of its own, which belong to the workers (or to the cron tick).
 */
const globalForQueue = globalThis as unknown as { fleetlineJobQueue?: Promise<PgBoss> };

export function jobQueue(): Promise<PgBoss> {
  globalForQueue.fleetlineJobQueue ??= (async () => {
    const boss = createBoss({ schedule: false, supervise: false });
    await boss.start();
    await createQueues(boss);
    return boss;
  })().catch((error: unknown) => {
    globalForQueue.fleetlineJobQueue = undefined;
    throw error;
  });
  return globalForQueue.fleetlineJobQueue;
}
