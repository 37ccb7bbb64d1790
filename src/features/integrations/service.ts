import type postgres from 'postgres';
import { recordAudit } from '@/lib/audit';
import { asServiceWithin } from '@/lib/service-role';
import type { PlatformIdentity } from '@/lib/aws/clients';
import { isIotDataEndpoint } from '@/lib/aws/data-endpoint';
import type { OrgContext, OrgScope } from '@/lib/context';
import { asService } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { isCustomEndpointAllowed, outboundPolicyFromEnv } from '@/lib/net/outbound-guard';
import { hasRole } from '@/lib/roles';
import { credentialsHint, decryptCredentials, encryptCredentials, VaultError, type AwsCredentials, type Keyring } from '@/lib/vault';
import { checkDefinition, toStoredCapabilities, type PreflightReport } from './capabilities';
import { verifyDraft } from './draft';
import { runPreflight, type PreflightAuth, type PreflightTarget } from './preflight';
import { getIntegrationOrThrow, type IntegrationDetail, type IntegrationStatus } from './queries';
import type {
  CreateIntegrationInput,
  DeleteIntegrationInput,
  IntegrationRef,
  RotateCredentialsInput,
  TestConnectionInput,
  UpdateIntegrationInput,
} from './schemas';

/**
 * Writes and rules of integrations, shared by the server actions and scripts. Owners and admins
 * write (checked here, by the action wrapper and by RLS); credentials are encrypted in the same
 * request that received them and never returned, logged or audited (only their hint). Services
 * that run the preflight take an OrgScope: reads commit before AWS is called, writes follow briefly.
 */
export interface IntegrationDeps {
  keyring: Keyring;
  platform: PlatformIdentity;
  /** Injected by tests; defaults to the real preflight. */
  preflight?: (target: PreflightTarget) => Promise<PreflightReport>;
}

function preflight(deps: IntegrationDeps, target: PreflightTarget): Promise<PreflightReport> {
  return deps.preflight ? deps.preflight(target) : runPreflight(target, { platform: deps.platform });
}

function requireAdmin(ctx: Pick<OrgContext, 'role'>): void {
  if (!hasRole(ctx.role, 'admin')) {
    throw new AppError('FORBIDDEN', `Only admins and owners can change integrations; you are ${ctx.role}.`);
  }
}

/**
 * The deployment's rule for custom endpoints, checked where the user typed one (the guard checks
 * again at connect time). In production only the operator's allow-listed hosts pass.
 */
export function assertCustomEndpointPermitted(endpoint: string | null): void {
  if (!endpoint) return;
  const policy = outboundPolicyFromEnv();
  if (isCustomEndpointAllowed(endpoint, policy)) return;
  const message = policy.customEndpointHosts?.length === 0 ? 'Custom endpoints are not enabled on this deployment.' : 'This endpoint is not allowed.';
  throw new AppError('VALIDATION', message, { customEndpoint: [message] });
}

/** Only an AWS IoT data endpoint of the integration's region is ever stored (it is called later). */
function dataEndpointToStore(report: PreflightReport | null, region: string): string | null {
  return report?.endpoint && isIotDataEndpoint(report.endpoint, region) ? report.endpoint : null;
}

function json(value: unknown): postgres.JSONValue {
  return JSON.parse(JSON.stringify(value)) as postgres.JSONValue;
}

/** A refused connection, in words the user can act on. */
function refusal(report: PreflightReport): AppError | null {
  if (report.authFailure) return new AppError('PRECONDITION', report.authFailure.message);
  const missing = report.checks.filter((c) => checkDefinition(c.id).required && c.status !== 'ok');
  if (missing.length === 0) return null;
  const first = missing[0]!;
  return new AppError(
    'PRECONDITION',
    `Fleetline needs to ${checkDefinition(first.id).label.toLowerCase()} (${checkDefinition(first.id).actions.join(', ')}), but AWS refused it${first.error ? ` (${first.error})` : ''}. Grant it and test again.`,
  );
}

function failedChecks(report: PreflightReport): string[] {
  return report.checks.filter((c) => c.status === 'failed').map((c) => c.id);
}

async function assertNameFree(ctx: OrgContext, name: string, exceptId?: string): Promise<void> {
  const taken = await ctx.db`
    select 1 from public.integrations
    where org_id = ${ctx.org.id} and lower(name) = lower(${name}) ${exceptId ? ctx.db`and id <> ${exceptId}` : ctx.db``}`;
  if (taken.length > 0) {
    throw new AppError('CONFLICT', `An integration named “${name}” already exists.`, { name: ['Another integration of this organization has this name.'] });
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint_name?: string };
  return e?.code === '23505' && e.constraint_name === constraint;
}

/** Wizard step 3: runs the preflight with the credentials typed in the wizard (nothing is stored). */
export async function testConnection(ctx: OrgScope, input: TestConnectionInput, deps: IntegrationDeps) {
  requireAdmin(ctx);
  verifyDraft(deps.keyring, ctx.org.id, input.draft);
  const { connection } = input;
  assertCustomEndpointPermitted(connection.customEndpoint);
  const auth: PreflightAuth =
    connection.authType === 'access_keys'
      ? { type: 'access_keys', credentials: { accessKeyId: connection.accessKeyId, secretAccessKey: connection.secretAccessKey } }
      : { type: 'assume_role', roleArn: connection.roleArn, externalId: input.draft.externalId };
  const report = await preflight(deps, {
    integrationId: input.draft.integrationId,
    region: connection.region,
    customEndpoint: connection.customEndpoint,
    timestreamDatabase: connection.timestreamDatabase,
    timestreamTable: connection.timestreamTable,
    auth,
  });
  ctx.log.info({ authenticated: report.authenticated, canSave: report.canSave, refusedChecks: failedChecks(report) }, 'connection tested');
  return { ...report, credentialsHint: connection.authType === 'access_keys' ? credentialsHint(connection.accessKeyId) : null };
}

/** Wizard step 5: re-runs the preflight on the server, then encrypts and stores in this request. */
export async function createIntegration(scope: OrgScope, input: CreateIntegrationInput, deps: IntegrationDeps): Promise<{ id: string }> {
  requireAdmin(scope);
  verifyDraft(deps.keyring, scope.org.id, input.draft);
  const { details, draft } = input;
  assertCustomEndpointPermitted(details.customEndpoint);
  await scope.withDb((ctx) => assertNameFree(ctx, details.name));
  const credentials: AwsCredentials | null =
    details.authType === 'access_keys' ? { accessKeyId: details.accessKeyId, secretAccessKey: details.secretAccessKey } : null;
  const roleArn = details.authType === 'assume_role' ? details.roleArn : null;
  const report = await preflight(deps, {
    integrationId: draft.integrationId,
    region: details.region,
    customEndpoint: details.customEndpoint,
    timestreamDatabase: details.timestreamDatabase,
    timestreamTable: details.timestreamTable,
    auth: roleArn ? { type: 'assume_role', roleArn, externalId: draft.externalId } : { type: 'access_keys', credentials: credentials! },
  });
  const refused = refusal(report);
  if (refused) throw refused;

  const token = credentials ? encryptCredentials(deps.keyring, { orgId: scope.org.id, integrationId: draft.integrationId }, credentials) : null;
  const hint = credentials ? credentialsHint(credentials.accessKeyId) : null;
  await scope.withDb((ctx) => insertIntegration(ctx, input, report, { token, hint, roleArn }));
  scope.log.info({ integrationId: draft.integrationId, authType: details.authType, syncMode: report.syncMode }, 'integration created');
  return { id: draft.integrationId };
}

/** The row and its audit entry, in one short transaction after the preflight. */
async function insertIntegration(
  ctx: OrgContext,
  input: CreateIntegrationInput,
  report: PreflightReport,
  stored: { token: string | null; hint: string | null; roleArn: string | null },
): Promise<void> {
  const { details, schedule, draft } = input;
  const { token, hint, roleArn } = stored;
  try {
    await asServiceWithin(ctx.db, () => ctx.db`
      insert into public.integrations (
        id, org_id, name, region, auth_type, credentials, credentials_hint, role_arn, external_id,
        iot_data_endpoint, custom_endpoint, timestream_database, timestream_table,
        sync_interval_seconds, sync_budget, status, capabilities, last_tested_at)
      values (
        ${draft.integrationId}, ${ctx.org.id}, ${details.name}, ${details.region}, ${details.authType}, ${token}, ${hint},
        ${roleArn}, ${roleArn ? draft.externalId : null}, ${dataEndpointToStore(report, details.region)}, ${details.customEndpoint},
        ${details.timestreamDatabase}, ${details.timestreamTable}, ${schedule.syncIntervalSeconds}, ${schedule.syncBudget},
        'active', ${ctx.db.json(json(toStoredCapabilities(report)))}, ${report.testedAt})`);
  } catch (error) {
    if (isUniqueViolation(error, 'integrations_pkey')) {
      throw new AppError('CONFLICT', 'This wizard has already saved an integration. Reload the page to connect another account.');
    }
    if (isUniqueViolation(error, 'integrations_org_id_name_key')) {
      throw new AppError('CONFLICT', `An integration named “${details.name}” already exists.`, { name: ['Another integration of this organization has this name.'] });
    }
    throw error;
  }
  await recordAudit(ctx, 'integration.created', { type: 'integration', id: draft.integrationId }, {
    name: details.name,
    region: details.region,
    authType: details.authType,
    credentialsHint: hint,
    roleArn,
    customEndpoint: details.customEndpoint,
    timestreamDatabase: details.timestreamDatabase,
    timestreamTable: details.timestreamTable,
    syncIntervalSeconds: schedule.syncIntervalSeconds,
    syncBudget: schedule.syncBudget,
    syncMode: report.syncMode,
    failedChecks: failedChecks(report),
  });
}

/**
 * How to authenticate as a stored integration. The vault token is not selectable by API roles, so
 * it is read through the service door, only after the caller's admin role was checked and only for
 * a row RLS already showed them.
 */
async function storedAuth(ctx: Pick<OrgScope, 'org' | 'log'>, integration: IntegrationDetail, deps: IntegrationDeps): Promise<PreflightAuth> {
  if (integration.authType === 'assume_role') {
    return { type: 'assume_role', roleArn: integration.roleArn!, externalId: integration.externalId! };
  }
  const [row] = await asService((db) => db<{ credentials: string | null }[]>`
    select credentials from public.integrations where id = ${integration.id} and org_id = ${ctx.org.id}`);
  if (!row?.credentials) throw new AppError('PRECONDITION', 'This integration has no stored credentials. Rotate its credentials to add new keys.');
  try {
    return { type: 'access_keys', credentials: decryptCredentials(deps.keyring, { orgId: ctx.org.id, integrationId: integration.id }, row.credentials) };
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    ctx.log.error({ integrationId: integration.id, code: error.code }, 'stored credentials cannot be decrypted');
    throw new AppError('PRECONDITION', 'The stored credentials cannot be decrypted (the vault key that encrypted them is gone). Rotate the credentials to store new ones.');
  }
}


function lastErrorOf(report: PreflightReport): string | null {
  return refusal(report)?.message ?? null;
}

/** "Test connection" on a saved integration: refreshes its capabilities, endpoint and status. */
export async function testIntegration(scope: OrgScope, input: IntegrationRef, deps: IntegrationDeps): Promise<PreflightReport> {
  requireAdmin(scope);
  const integration = await scope.withDb((ctx) => getIntegrationOrThrow(ctx.db, ctx.org.id, input.integrationId));
  const report = await preflight(deps, {
    integrationId: integration.id,
    region: integration.region,
    customEndpoint: integration.customEndpoint,
    timestreamDatabase: integration.timestreamDatabase,
    timestreamTable: integration.timestreamTable,
    auth: await storedAuth(scope, integration, deps),
  });
  const stored = toStoredCapabilities(report);
  await scope.withDb(async (ctx) => {
    // A pause made while the preflight ran stays (the status is decided against the row as it is now).
    await asServiceWithin(ctx.db, () => ctx.db`
    update public.integrations set
      capabilities = ${stored ? ctx.db.json(json(stored)) : ctx.db`capabilities`},
      iot_data_endpoint = coalesce(${dataEndpointToStore(report, integration.region)}, iot_data_endpoint),
      last_tested_at = ${report.testedAt},
      last_error = ${lastErrorOf(report)},
      status = case when status = 'paused' then status else ${report.canSave ? 'active' : 'error'} end
    where id = ${integration.id} and org_id = ${ctx.org.id}`);
    await recordAudit(ctx, 'integration.tested', { type: 'integration', id: integration.id }, {
      ok: report.canSave,
      authError: report.authFailure?.error ?? null,
      failedChecks: failedChecks(report),
      syncMode: report.syncMode,
    });
  });
  return report;
}

/** Name, schedule and connection settings; a changed endpoint or Timestream table is re-tested first. */
export async function updateIntegration(scope: OrgScope, input: UpdateIntegrationInput, deps: IntegrationDeps): Promise<void> {
  requireAdmin(scope);
  const current = await scope.withDb(async (ctx) => {
    const row = await getIntegrationOrThrow(ctx.db, ctx.org.id, input.integrationId);
    await assertNameFree(ctx, input.name, row.id);
    return row;
  });
  const next = {
    name: input.name,
    syncIntervalSeconds: input.syncIntervalSeconds,
    syncBudget: input.syncBudget,
    customEndpoint: input.customEndpoint,
    timestreamDatabase: input.timestreamDatabase,
    timestreamTable: input.timestreamTable,
  };
  const changes: Record<string, { from: postgres.JSONValue; to: postgres.JSONValue }> = {};
  for (const key of Object.keys(next) as (keyof typeof next)[]) {
    if (current[key] !== next[key]) changes[key] = { from: current[key], to: next[key] };
  }
  if (Object.keys(changes).length === 0) return;
  if (changes.customEndpoint) assertCustomEndpointPermitted(next.customEndpoint);

  let report: PreflightReport | null = null;
  if (changes.customEndpoint || changes.timestreamDatabase || changes.timestreamTable) {
    report = await preflight(deps, {
      integrationId: current.id,
      region: current.region,
      customEndpoint: next.customEndpoint,
      timestreamDatabase: next.timestreamDatabase,
      timestreamTable: next.timestreamTable,
      auth: await storedAuth(scope, current, deps),
    });
    if (report.authFailure) throw new AppError('PRECONDITION', `Nothing was changed: with these settings, ${report.authFailure.message.charAt(0).toLowerCase()}${report.authFailure.message.slice(1)}`);
  }
  const stored = report ? toStoredCapabilities(report) : null;
  await scope.withDb(async (ctx) => {
    await asServiceWithin(ctx.db, () => ctx.db`
    update public.integrations set
      name = ${next.name},
      sync_interval_seconds = ${next.syncIntervalSeconds},
      sync_budget = ${next.syncBudget},
      custom_endpoint = ${next.customEndpoint},
      timestream_database = ${next.timestreamDatabase},
      timestream_table = ${next.timestreamTable},
      capabilities = ${stored ? ctx.db.json(json(stored)) : ctx.db`capabilities`},
      iot_data_endpoint = coalesce(${dataEndpointToStore(report, current.region)}, iot_data_endpoint),
      last_tested_at = ${report ? report.testedAt : ctx.db`last_tested_at`}
    where id = ${current.id} and org_id = ${ctx.org.id}`);
    await recordAudit(ctx, 'integration.updated', { type: 'integration', id: current.id }, { changes, retested: report !== null });
  });
}

export async function pauseIntegration(ctx: OrgContext, input: IntegrationRef): Promise<void> {
  requireAdmin(ctx);
  const current = await getIntegrationOrThrow(ctx.db, ctx.org.id, input.integrationId);
  if (current.status === 'paused') return;
  await asServiceWithin(ctx.db, () => ctx.db`
    update public.integrations set status = 'paused', paused_reason = ${`Paused by ${ctx.user.email}`}
    where id = ${current.id} and org_id = ${ctx.org.id}`);
  await recordAudit(ctx, 'integration.paused', { type: 'integration', id: current.id }, { previousStatus: current.status });
}

export async function resumeIntegration(ctx: OrgContext, input: IntegrationRef): Promise<void> {
  requireAdmin(ctx);
  const current = await getIntegrationOrThrow(ctx.db, ctx.org.id, input.integrationId);
  if (current.status !== 'paused') return;
  const status: IntegrationStatus = current.lastError ? 'error' : 'active';
  await asServiceWithin(ctx.db, () => ctx.db`
    update public.integrations set status = ${status}, paused_reason = null
    where id = ${current.id} and org_id = ${ctx.org.id}`);
  await recordAudit(ctx, 'integration.resumed', { type: 'integration', id: current.id }, { status });
}

/** New access keys: tested first, then re-encrypted for this row; the old token is overwritten. */
export async function rotateCredentials(scope: OrgScope, input: RotateCredentialsInput, deps: IntegrationDeps): Promise<{ credentialsHint: string }> {
  requireAdmin(scope);
  const current = await scope.withDb((ctx) => getIntegrationOrThrow(ctx.db, ctx.org.id, input.integrationId));
  if (current.authType !== 'access_keys') {
    throw new AppError('PRECONDITION', 'This integration connects with an IAM role: it stores no keys to rotate.');
  }
  const credentials: AwsCredentials = { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey };
  const report = await preflight(deps, {
    integrationId: current.id,
    region: current.region,
    customEndpoint: current.customEndpoint,
    timestreamDatabase: current.timestreamDatabase,
    timestreamTable: current.timestreamTable,
    auth: { type: 'access_keys', credentials },
  });
  const refused = refusal(report);
  if (refused) throw new AppError('PRECONDITION', `The new keys were not saved. ${refused.message}`);
  const token = encryptCredentials(deps.keyring, { orgId: scope.org.id, integrationId: current.id }, credentials);
  const hint = credentialsHint(credentials.accessKeyId);
  await scope.withDb(async (ctx) => {
    await asServiceWithin(ctx.db, () => ctx.db`
    update public.integrations set
      credentials = ${token},
      credentials_hint = ${hint},
      capabilities = ${ctx.db.json(json(toStoredCapabilities(report)))},
      iot_data_endpoint = coalesce(${dataEndpointToStore(report, current.region)}, iot_data_endpoint),
      last_tested_at = ${report.testedAt},
      last_error = null,
      status = case when status = 'paused' then status else 'active' end
    where id = ${current.id} and org_id = ${ctx.org.id}`);
    await recordAudit(ctx, 'integration.credentials_rotated', { type: 'integration', id: current.id }, {
      previousHint: current.credentialsHint,
      credentialsHint: hint,
      failedChecks: failedChecks(report),
    });
  });
  scope.log.info({ integrationId: current.id }, 'integration credentials rotated');
  return { credentialsHint: hint };
}

/** Deletes the integration; cached fleet data (devices, jobs, history, sync runs) cascades with it. */
export async function deleteIntegration(ctx: OrgContext, input: DeleteIntegrationInput): Promise<void> {
  requireAdmin(ctx);
  const current = await getIntegrationOrThrow(ctx.db, ctx.org.id, input.integrationId);
  if (input.confirmName !== current.name) {
    throw new AppError('VALIDATION', 'The name you typed does not match.', { confirmName: [`Type “${current.name}” to confirm.`] });
  }
  const rows = await ctx.db`delete from public.integrations where id = ${current.id} and org_id = ${ctx.org.id} returning id`;
  if (rows.length === 0) throw new AppError('NOT_FOUND', 'That integration does not exist (or was deleted).');
  await recordAudit(ctx, 'integration.deleted', { type: 'integration', id: current.id }, {
    name: current.name,
    region: current.region,
    authType: current.authType,
    credentialsHint: current.credentialsHint,
    roleArn: current.roleArn,
  });
  ctx.log.info({ integrationId: current.id }, 'integration deleted');
}
