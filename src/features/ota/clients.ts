import { createHash } from 'node:crypto';
import type { IoTClient } from '@aws-sdk/client-iot';
import { LRUCache } from 'lru-cache';
import { integrationConnection } from '@/features/sync/clients';
import type { IntegrationForSync } from '@/features/sync/runs';
import { createAwsClients, integrationCredentials, type AwsClients, type PlatformIdentity } from '@/lib/aws/clients';
import type { Keyring } from '@/lib/vault';

/** The IoT client OTA reads and writes go through, for one integration. */
export type IotClientFor = (integration: IntegrationForSync) => IoTClient;

/**
 * Clients kept per integration for a while, so an assumed role is not assumed again on every poll
 * of a job page. The key includes everything the clients are built from, so rotated credentials or
 * a changed endpoint get fresh clients. The SDK's standard retries (3 attempts, back-off on throttling) stay on.
 */
export function cachedIotClients(keyring: Keyring, platform: PlatformIdentity): IotClientFor {
  const cache = new LRUCache<string, AwsClients>({
    max: 200,
    ttl: 10 * 60_000,
    dispose: (clients) => clients.destroy(),
  });
  return (i) => {
    const key = createHash('sha256')
      .update(JSON.stringify([i.id, i.org_id, i.region, i.auth_type, i.credentials, i.role_arn, i.external_id, i.custom_endpoint]))
      .digest('base64url');
    let clients = cache.get(key);
    if (!clients) {
      const conn = integrationConnection(i);
      clients = createAwsClients(conn, integrationCredentials(conn, keyring, platform), { connectionTimeoutMs: 5_000, requestTimeoutMs: 15_000 });
      cache.set(key, clients);
    }
    return clients.iot;
  };
}
