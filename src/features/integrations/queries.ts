import type { Tx } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { readCapabilities, type StoredCapabilities } from './capabilities';

/** Reads of integrations as the member (RLS), with explicit columns: never the vault token. */
export type IntegrationStatus = 'pending' | 'active' | 'paused' | 'error';
export type AuthType = 'access_keys' | 'assume_role';

export interface IntegrationSummary {
  id: string;
  name: string;
  region: string;
  authType: AuthType;
  credentialsHint: string | null;
  roleArn: string | null;
  status: IntegrationStatus;
  lastSyncAt: Date | null;
  lastTestedAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

export interface IntegrationDetail extends IntegrationSummary {
  externalId: string | null;
  iotDataEndpoint: string | null;
  customEndpoint: string | null;
  timestreamDatabase: string | null;
  timestreamTable: string | null;
  syncIntervalSeconds: number;
  syncBudget: number;
  pausedReason: string | null;
  capabilities: StoredCapabilities | null;
  updatedAt: Date;
}

interface Cursor {
  name: string;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.name, c.id])).toString('base64url');
}

function decodeCursor(value: string | undefined): Cursor | null {
  if (!value) return null;
  try {
    const [name, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
    return typeof name === 'string' && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? { name, id } : null;
  } catch {
    return null;
  }
}

/** The organization's integrations by name, keyset-paginated. */
export async function listIntegrations(
  db: Tx,
  orgId: string,
  options: { limit?: number; cursor?: string } = {},
): Promise<{ items: IntegrationSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const after = decodeCursor(options.cursor);
  const rows = await db<(IntegrationSummary & { sortName: string })[]>`
    select id, name, region, auth_type as "authType", credentials_hint as "credentialsHint", role_arn as "roleArn",
           status, last_sync_at as "lastSyncAt", last_tested_at as "lastTestedAt", last_error as "lastError",
           created_at as "createdAt", lower(name) as "sortName"
    from public.integrations
    where org_id = ${orgId}
      ${after ? db`and (lower(name), id) > (${after.name}, ${after.id}::uuid)` : db``}
    order by lower(name), id
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const items = page.map(({ sortName: _sortName, ...item }) => item);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ name: last.sortName, id: last.id }) : null };
}

export async function getIntegration(db: Tx, orgId: string, integrationId: string): Promise<IntegrationDetail | null> {
  const [row] = await db<(Omit<IntegrationDetail, 'capabilities' | 'syncBudget'> & { capabilities: unknown; syncBudget: string })[]>`
    select id, name, region, auth_type as "authType", credentials_hint as "credentialsHint", role_arn as "roleArn",
           status, last_sync_at as "lastSyncAt", last_tested_at as "lastTestedAt", last_error as "lastError",
           created_at as "createdAt", external_id as "externalId", iot_data_endpoint as "iotDataEndpoint",
           custom_endpoint as "customEndpoint", timestream_database as "timestreamDatabase",
           timestream_table as "timestreamTable", sync_interval_seconds as "syncIntervalSeconds",
           sync_budget as "syncBudget", paused_reason as "pausedReason", capabilities, updated_at as "updatedAt"
    from public.integrations
    where org_id = ${orgId} and id = ${integrationId}`;
  if (!row) return null;
  return { ...row, syncBudget: Number(row.syncBudget), capabilities: readCapabilities(row.capabilities) };
}

export async function getIntegrationOrThrow(db: Tx, orgId: string, integrationId: string): Promise<IntegrationDetail> {
  const integration = await getIntegration(db, orgId, integrationId);
  if (!integration) throw new AppError('NOT_FOUND', 'That integration does not exist (or was deleted).');
  return integration;
}
