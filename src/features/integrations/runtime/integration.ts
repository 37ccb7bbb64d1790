import type { IntegrationConnection } from '@/lib/aws/clients';
import type { Tx } from '@/lib/db';

/** A database runner: asService in the app and the worker (every query still filters by org_id). */
export type Db = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/**
 * An integration as the runtime needs it to call AWS. Read with the service role only: the vault
 * token in `credentials` is not selectable by users.
 */
export interface IntegrationForSync {
  id: string;
  org_id: string;
  name: string;
  region: string;
  auth_type: 'access_keys' | 'assume_role';
  credentials: string | null;
  role_arn: string | null;
  external_id: string | null;
  custom_endpoint: string | null;
  iot_data_endpoint: string | null;
  status: 'pending' | 'active' | 'paused' | 'error';
  paused_reason: string | null;
  sync_budget: number;
}

export async function loadIntegration(db: Db, integrationId: string, orgId?: string): Promise<IntegrationForSync | null> {
  const rows = await db((tx) => tx<(Omit<IntegrationForSync, 'sync_budget'> & { sync_budget: string })[]>`
    select id, org_id, name, region, auth_type, credentials, role_arn, external_id, custom_endpoint, iot_data_endpoint,
           status, paused_reason, sync_budget
    from public.integrations
    where id = ${integrationId} ${orgId ? tx`and org_id = ${orgId}` : tx``}`);
  const row = rows[0];
  return row ? { ...row, sync_budget: Number(row.sync_budget) } : null;
}

/** How to reach an integration's AWS account, from its row (credentials still encrypted). */
export function integrationConnection(i: IntegrationForSync): IntegrationConnection {
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
