import { NextResponse } from 'next/server';
import { pingDatabase } from '@/lib/db';
import { logger } from '@/lib/logger';

export const dynamic = 'force-dynamic';

/** Liveness and readiness: 200 when the database answers, 503 otherwise. */
export async function GET() {
  try {
    const latencyMs = await pingDatabase();
    return NextResponse.json({ status: 'ok', database: { status: 'ok', latencyMs } });
  } catch (error) {
    logger.error({ err: error }, 'health check: database unreachable');
    return NextResponse.json({ status: 'error', database: { status: 'unreachable' } }, { status: 503 });
  }
}
