import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

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

function createLogger(): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info');
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'fleetline' } };
  // JSON in production (for log shippers); one readable line per event in development.
  if (process.env.NODE_ENV === 'production' || process.env.LOG_FORMAT === 'json') return pino(options);
  return pino(options, pretty({ sync: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' }));
}

const globalForLogger = globalThis as unknown as { fleetlineLogger?: Logger };
export const logger: Logger = (globalForLogger.fleetlineLogger ??= createLogger());
