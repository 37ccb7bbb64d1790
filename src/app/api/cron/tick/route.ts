import { createHash, timingSafeEqual } from 'node:crypto';
import { NextResponse, type NextRequest } from 'next/server';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { notifyAlertEvents } from '@/features/notifications/service';
import { platformIdentityFromEnv } from '@/lib/aws/clients';
import { asService } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { runCronTick } from '@/worker/cron';

export const dynamic = 'force-dynamic';
/** Platforms that honour it (Vercel) let the tick run this long; the sync budget stays below it. */
export const maxDuration = 60;
const BUDGET_MS = 50_000;

/** Compares digests, so neither the secret's content nor its length leaks through timing. */
function authorized(header: string | null, secret: string): boolean {
  const presented = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

/**
 * Drives the sync schedule for deployments without `npm run worker` (e.g. Vercel Cron, which sends
 * `Authorization: Bearer $CRON_SECRET`): queues due integrations and runs queued syncs for ~50 s.
 */
async function tick(request: NextRequest) {
  const env = serverEnv();
  if (!env.CRON_SECRET) return NextResponse.json({ error: 'The cron route is disabled: set CRON_SECRET.' }, { status: 404 });
  if (!authorized(request.headers.get('authorization'), env.CRON_SECRET)) {
    return NextResponse.json({ error: 'Unauthorized.' }, { status: 401 });
  }
  const log = logger.child({ component: 'cron-tick' });
  const result = await runCronTick({
    deps: { db: asService, clients: integrationClients(env.FLEETLINE_VAULT_KEYS, platformIdentityFromEnv()), workerId: 'cron' },
    alerts: { notify: notifyAlertEvents },
    log,
    budgetMs: BUDGET_MS,
  });
  log.info({ queued: result.queued, jobs: result.jobs.length, durationMs: result.durationMs }, 'cron tick done');
  return NextResponse.json(result, { headers: { 'cache-control': 'no-store' } });
}

export const GET = tick;
export const POST = tick;
