import { platformIdentityFromEnv } from '@/lib/aws/clients';
import { serverEnv } from '@/lib/env';
import { syncClientsFactory } from '@/features/sync/clients';
import type { AwsDeps } from './aws';

/** The app's AWS dependencies: the integration's clients built as the sync builds them (vault keyring, platform identity). */
export function appAwsDeps(): AwsDeps {
  return { clients: syncClientsFactory(serverEnv().FLEETLINE_VAULT_KEYS, platformIdentityFromEnv()) };
}
