import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { isAwsSdkError, sanitizeAwsError, scrubSecrets } from './aws/errors';

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'credentials',
  '*.credentials',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'authorization',
  '*.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'cookie',
  'apikey',
  '*.apikey',
];

/**
 * Errors logged as `err` or `error`: AWS SDK errors only as the sanitizer's name, message and status
 * (their messages may carry a canonical request; their stacks repeat it); other errors scrubbed.
 */
export function serializeError(value: unknown): unknown {
  if (isAwsSdkError(value)) {
    const e = value as { $metadata?: { requestId?: string }; $fault?: string };
    return { type: 'AwsError', ...sanitizeAwsError(value), fault: e.$fault, requestId: e.$metadata?.requestId };
  }
  if (!(value instanceof Error)) return value;
  const out = pino.stdSerializers.err(value) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack'] as const) {
    if (typeof out[key] === 'string') out[key] = scrubSecrets(out[key]);
  }
  return out;
}

export const LOG_SERIALIZERS = { err: serializeError, error: serializeError };

function createLogger(): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info');
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: LOG_SERIALIZERS, base: { service: 'fleetline' } };
  // JSON in production (for log shippers); one readable line per event in development.
  if (process.env.NODE_ENV === 'production' || process.env.LOG_FORMAT === 'json') return pino(options);
  return pino(options, pretty({ sync: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' }));
}

const globalForLogger = globalThis as unknown as { fleetlineLogger?: Logger };
export const logger: Logger = (globalForLogger.fleetlineLogger ??= createLogger());
