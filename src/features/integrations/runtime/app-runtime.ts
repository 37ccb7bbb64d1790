import { platformIdentityFromEnv } from '@/lib/aws/clients';
import { asService } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { integrationClients, type RuntimeDeps } from './clients';

let runtime: RuntimeDeps | undefined;

/** The web app's runtime: vault keyring and platform identity from the server env, buckets on the service role. One per process. */
export function appRuntime(): RuntimeDeps {
  runtime ??= { clients: integrationClients(serverEnv().FLEETLINE_VAULT_KEYS, platformIdentityFromEnv()), db: asService };
  return runtime;
}
