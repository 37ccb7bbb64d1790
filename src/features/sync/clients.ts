import { createAwsClients, integrationCredentials, type AwsClients, type PlatformIdentity } from '@/lib/aws/clients';
import type { Keyring } from '@/lib/vault';
import type { IntegrationForSync } from './runs';

/** How to reach an integration's AWS account, from its row (credentials still encrypted). */
export function integrationConnection(i: IntegrationForSync) {
  return {
    orgId: i.org_id,
    integrationId: i.id,
    region: i.region,
    authType: i.auth_type,
    credentials: i.credentials,
    roleArn: i.role_arn,
    externalId: i.external_id,
    customEndpoint: i.custom_endpoint,
    iotDataEndpoint: i.iot_data_endpoint,
  };
}

/**
 * The AWS clients a sync uses: the integration's credentials (decrypted here, only for the run) or
 * its assumed role, with the SDK's own retries off so the quota governor paces and counts every attempt.
 */
export function syncClientsFactory(keyring: Keyring, platform: PlatformIdentity): (integration: IntegrationForSync) => AwsClients {
  return (i) => {
    const conn = integrationConnection(i);
    return createAwsClients(conn, integrationCredentials(conn, keyring, platform), { maxAttempts: 1 });
  };
}
