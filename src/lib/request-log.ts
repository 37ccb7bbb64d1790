import 'server-only';
import { headers } from 'next/headers';
import type { Logger } from 'pino';
import { logger } from './logger';

/** A child logger carrying the request id the proxy assigned. */
export async function requestLogger(bindings: Record<string, unknown> = {}): Promise<Logger> {
  const requestId = (await headers()).get('x-request-id') ?? undefined;
  return logger.child({ requestId, ...bindings });
}
