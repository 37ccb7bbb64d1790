import 'server-only';
import { platformIdentityFromEnv } from '@/lib/aws/clients';
import { serverEnv } from '@/lib/env';
import { cachedIotClients, type IotClientFor } from './clients';
import type { OtaDeps } from './service';

/** One client cache per server process, shared by the OTA actions and route handlers. */
let iotFor: IotClientFor | undefined;

export function otaDeps(): OtaDeps {
  iotFor ??= cachedIotClients(serverEnv().FLEETLINE_VAULT_KEYS, platformIdentityFromEnv());
  return { iotFor };
}
