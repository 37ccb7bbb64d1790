import { platformIdentityFromEnv } from '@/lib/aws/clients';
import { asService, asUser, type JwtClaims } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { telemetryCache } from './cache';
import type { TelemetryDeps } from './service';

/** The app's telemetry dependencies for one signed-in user: the chart route's and its CSV export's. */
export function telemetryAppDeps(claims: JwtClaims): TelemetryDeps {
  return {
    asUser: (fn) => asUser(claims, fn),
    asService,
    keyring: serverEnv().FLEETLINE_VAULT_KEYS,
    platform: platformIdentityFromEnv(),
    cache: telemetryCache(),
    now: Date.now,
  };
}
