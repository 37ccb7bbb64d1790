import 'server-only';
import { headers } from 'next/headers';
import { logger } from '../logger';
import { clientKey, trustedProxyConfig, UNKNOWN_CLIENT, type TrustedProxyConfig } from './client-ip';
import { rateLimits } from './index';

let config: TrustedProxyConfig | undefined;
let warned = false;

/**
 * The per-IP subject of the current request (server actions). Without FLEETLINE_TRUSTED_PROXY_HEADER
 * every client shares one bucket: Next exposes no socket address to actions, and any header could be forged.
 */
export async function requestClientKey(): Promise<string> {
  config ??= trustedProxyConfig();
  const key = clientKey(await headers(), config);
  if (key === UNKNOWN_CLIENT && !warned && process.env.NODE_ENV === 'production') {
    warned = true;
    logger.warn({ header: config.header }, 'no trusted client address: per-IP rate limits are shared by all clients (set FLEETLINE_TRUSTED_PROXY_HEADER)');
  }
  return key;
}

/** Limits a sign-in attempt by this request's client and the account; call succeeded() after a success. */
export async function beginSignIn(email: string) {
  return rateLimits().beginSignIn(await requestClientKey(), email);
}

export async function limitSignUp(email: string): Promise<void> {
  await rateLimits().limitSignUp(await requestClientKey(), email);
}
