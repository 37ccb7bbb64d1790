import { recordAudit } from '@/lib/audit';
import { sanitizeAwsError } from '@/lib/aws/errors';
import type { OrgScope } from '@/lib/context';
import { AppError } from '@/lib/errors';
import { paths } from '@/lib/paths';
import { asServiceWithin } from '@/lib/service-role';
import { readCapabilities } from '@/features/integrations/capabilities';
import { openGovernedClients, type RuntimeDeps } from '@/features/integrations/runtime/clients';
import { loadIntegration, type Db, type IntegrationForSync } from '@/features/integrations/runtime/integration';
import { deprovisionLiveData, provisionLiveData, readLiveDataState, replaceRule, type LiveDataState } from './provision';
import { cliSnippet, cloudFormationSnippet, ruleNames } from './rules';
import type { EnableLiveDataInput, LiveDataRefInput } from './schemas';
import { INGEST_SECRET_GRACE_MINUTES, newIngestSecret } from './secret';

/**
 * The integration page's "Live data" card: switch on (a new secret, shown once; the destination and
 * both rules when the integration may manage rules, else the snippets to apply by hand), switch off
 * (rules and destination deleted, secret forgotten), rotate the secret, refresh the rules' status.
 * Check → commit → call AWS → write briefly: no AWS call inside a transaction.
 */
export interface LiveDataDeps {
  /** Service-role runner for the integration row (its vault token) and the runtime's buckets. */
  db: Db;
  runtime: RuntimeDeps;
  /** APP_URL: the ingest URL the rules deliver to is built on it, never on request headers. */
  appUrl: string;
}

export interface LiveDataSetupResult {
  /** The new ingest secret: shown once, never stored or returned again. */
  secret: string | null;
  /** After a rotation: when the replaced secret stops being accepted (ISO time); null otherwise. */
  previousSecretExpiresAt: string | null;
  /** True when Fleetline created (or replaced) the destination and rules itself. */
  managed: boolean;
  /** The sanitized AWS error when managing the rules failed. */
  error: string | null;
  /** Hand set-up (without the liveData permissions, or after an error). */
  manual: { cli: string; cloudFormation: string } | null;
}

interface LiveRow {
  enabled: boolean;
  topic_filter: string;
  destination_arn: string | null;
  secret_hint: string | null;
  secret_rotated_at: Date | null;
}

export function ingestUrl(appUrl: string, integrationId: string): string {
  return new URL(paths.ingest(integrationId), appUrl).toString();
}

async function loadForSetup(scope: OrgScope, deps: LiveDataDeps, integrationId: string) {
  const integration = await loadIntegration(deps.db, integrationId, scope.org.id);
  if (!integration) throw new AppError('NOT_FOUND', 'Integration not found.');
  const [live] = await deps.db((tx) => tx<LiveRow[]>`
    select enabled, topic_filter, destination_arn, secret_hint, secret_rotated_at from public.integration_live_data
    where integration_id = ${integrationId} and org_id = ${scope.org.id}`);
  const [caps] = await deps.db((tx) => tx<{ capabilities: unknown }[]>`
    select capabilities from public.integrations where id = ${integrationId} and org_id = ${scope.org.id}`);
  const canManage = readCapabilities(caps?.capabilities)?.checks.some((c) => c.id === 'liveData' && c.status === 'ok') ?? false;
  return { integration, live: live ?? null, canManage };
}

async function withIot<T>(deps: LiveDataDeps, integration: IntegrationForSync, fn: (iot: ReturnType<typeof openGovernedClients>) => Promise<T>): Promise<T> {
  const aws = openGovernedClients(deps.runtime, integration, { deadlineMs: 30_000 });
  try {
    return await fn(aws);
  } finally {
    aws.close();
  }
}

const describeError = (error: unknown) => {
  const safe = sanitizeAwsError(error);
  return `${safe.name}: ${safe.message}`;
};

async function recordState(scope: OrgScope, integrationId: string, state: Partial<LiveDataState> & { error?: string | null }) {
  await scope.withDb((ctx) =>
    asServiceWithin(ctx.db, () => ctx.db`
      update public.integration_live_data set
        destination_arn = case when ${state.destinationArn !== undefined} then ${state.destinationArn ?? null} else destination_arn end,
        destination_status = case when ${state.destinationStatus !== undefined} then ${state.destinationStatus ?? null} else destination_status end,
        telemetry_rule_status = coalesce(${state.telemetry ?? null}, telemetry_rule_status),
        presence_rule_status = coalesce(${state.presence ?? null}, presence_rule_status),
        last_error = ${state.error ?? null}, updated_at = now()
      where integration_id = ${integrationId} and org_id = ${ctx.org.id}`),
  );
}

function manualSnippets(deps: LiveDataDeps, integration: IntegrationForSync, topicFilter: string, secret?: string) {
  const url = ingestUrl(deps.appUrl, integration.id);
  const opts = { integrationId: integration.id, ingestUrl: url, topicFilter, region: integration.region, secret };
  return { cli: cliSnippet(opts), cloudFormation: JSON.stringify(cloudFormationSnippet(opts), null, 2) };
}

export async function enableLiveData(scope: OrgScope, input: EnableLiveDataInput, deps: LiveDataDeps): Promise<LiveDataSetupResult> {
  const { integration, live, canManage } = await loadForSetup(scope, deps, input.integrationId);
  const { secret, hash, hint } = newIngestSecret();
  const names = ruleNames(integration.id);
  await scope.withDb(async (ctx) => {
    await asServiceWithin(ctx.db, () => ctx.db`
      insert into public.integration_live_data as l (integration_id, org_id, enabled, secret_hash, secret_hint, secret_rotated_at, topic_filter,
        telemetry_rule_name, presence_rule_name, last_error)
      values (${integration.id}, ${ctx.org.id}, true, ${hash}, ${hint}, now(), ${input.topicFilter}, ${names.telemetry}, ${names.presence}, null)
      on conflict (integration_id) do update set enabled = true, secret_hash = excluded.secret_hash, secret_hint = excluded.secret_hint,
        secret_rotated_at = now(), previous_secret_hash = null, previous_secret_expires_at = null, topic_filter = excluded.topic_filter, telemetry_rule_name = excluded.telemetry_rule_name,
        presence_rule_name = excluded.presence_rule_name, last_error = null, updated_at = now()
      where l.org_id = excluded.org_id`);
    await recordAudit(ctx, 'live_data.enabled', { type: 'integration', id: integration.id }, { topicFilter: input.topicFilter, managed: canManage });
  });
  if (!canManage) return { secret, previousSecretExpiresAt: null, managed: false, error: null, manual: manualSnippets(deps, integration, input.topicFilter, secret) };

  const target = { integrationId: integration.id, ingestUrl: ingestUrl(deps.appUrl, integration.id), topicFilter: input.topicFilter };
  try {
    const state = await withIot(deps, integration, (aws) => provisionLiveData(aws.clients.iot, target, secret, live?.destination_arn ?? null, aws.signal));
    await recordState(scope, integration.id, state);
    return { secret, previousSecretExpiresAt: null, managed: true, error: null, manual: null };
  } catch (error) {
    const message = describeError(error);
    await recordState(scope, integration.id, { telemetry: 'ERROR', presence: 'ERROR', error: message });
    return { secret, previousSecretExpiresAt: null, managed: false, error: message, manual: manualSnippets(deps, integration, input.topicFilter, secret) };
  }
}

export async function disableLiveData(scope: OrgScope, input: LiveDataRefInput, deps: LiveDataDeps): Promise<{ error: string | null }> {
  const { integration, live, canManage } = await loadForSetup(scope, deps, input.integrationId);
  if (!live) throw new AppError('NOT_FOUND', 'Live data is not set up for this integration.');
  let error: string | null = null;
  if (canManage) {
    try {
      await withIot(deps, integration, (aws) => deprovisionLiveData(aws.clients.iot, integration.id, live.destination_arn, aws.signal));
    } catch (e) {
      error = describeError(e);
    }
  }
  // The secret is forgotten either way: whatever still delivers gets 401.
  await scope.withDb(async (ctx) => {
    await asServiceWithin(ctx.db, () => ctx.db`
      update public.integration_live_data set enabled = false, secret_hash = null, secret_hint = null,
        previous_secret_hash = null, previous_secret_expires_at = null,
        destination_arn = case when ${error === null && canManage} then null else destination_arn end,
        destination_status = case when ${error === null && canManage} then null else destination_status end,
        telemetry_rule_status = case when ${error === null && canManage} then 'MISSING' else telemetry_rule_status end,
        presence_rule_status = case when ${error === null && canManage} then 'MISSING' else presence_rule_status end,
        confirmation_token = null, last_error = ${error}, updated_at = now()
      where integration_id = ${integration.id} and org_id = ${ctx.org.id}`);
    await recordAudit(ctx, 'live_data.disabled', { type: 'integration', id: integration.id }, { managed: canManage });
  });
  return { error };
}

/**
 * A new secret without a 401 window: the stored hash changes first and the replaced one stays
 * valid for INGEST_SECRET_GRACE_MINUTES; then (managed set-up) both rules get the new header with
 * ReplaceTopicRule, through the runtime and outside any transaction. Rules and messages in flight
 * that still carry the old secret are accepted until the grace period ends. If AWS refuses the
 * first rule, nothing carries the new secret yet and the rotation is undone; if it refuses the
 * second, both secrets stay valid and the admin gets the new one with the hand set-up.
 */
export async function rotateIngestSecret(scope: OrgScope, input: LiveDataRefInput, deps: LiveDataDeps): Promise<LiveDataSetupResult> {
  const { integration, live, canManage } = await loadForSetup(scope, deps, input.integrationId);
  if (!live?.enabled) throw new AppError('PRECONDITION', 'Switch live data on first.');
  const { secret, hash, hint } = newIngestSecret();
  const previousSecretExpiresAt = await scope.withDb(async (ctx) => {
    const [row] = await asServiceWithin(ctx.db, () => ctx.db<{ expires_at: Date }[]>`
      update public.integration_live_data set
        previous_secret_hash = secret_hash, previous_secret_expires_at = now() + make_interval(mins => ${INGEST_SECRET_GRACE_MINUTES}),
        secret_hash = ${hash}, secret_hint = ${hint}, secret_rotated_at = now(), last_error = null, updated_at = now()
      where integration_id = ${integration.id} and org_id = ${ctx.org.id} and enabled
      returning previous_secret_expires_at as expires_at`);
    if (!row) throw new AppError('PRECONDITION', 'Switch live data on first.');
    await recordAudit(ctx, 'live_data.secret_rotated', { type: 'integration', id: integration.id }, { managed: canManage, graceMinutes: INGEST_SECRET_GRACE_MINUTES });
    return row.expires_at.toISOString();
  });
  const rotated = { secret, previousSecretExpiresAt };
  if (!canManage) return { ...rotated, managed: false, error: null, manual: manualSnippets(deps, integration, live.topic_filter, secret) };

  const target = { integrationId: integration.id, ingestUrl: ingestUrl(deps.appUrl, integration.id), topicFilter: live.topic_filter };
  let replaced = 0;
  try {
    await withIot(deps, integration, async (aws) => {
      await replaceRule(aws.clients.iot, 'telemetry', target, secret, aws.signal);
      replaced++;
      await replaceRule(aws.clients.iot, 'presence', target, secret, aws.signal);
      replaced++;
    });
    return { ...rotated, managed: true, error: null, manual: null };
  } catch (e) {
    const error = describeError(e);
    if (replaced === 0) {
      await undoRotation(scope, integration.id, hash, live, error);
      return { secret: null, previousSecretExpiresAt: null, managed: false, error, manual: null };
    }
    await recordState(scope, integration.id, { error });
    return { ...rotated, managed: false, error, manual: manualSnippets(deps, integration, live.topic_filter, secret) };
  }
}

/** The previous secret current again (only if the rotation's secret still is), as if nothing had happened. */
async function undoRotation(scope: OrgScope, integrationId: string, rotatedHash: Buffer, live: LiveRow, error: string): Promise<void> {
  await scope.withDb((ctx) =>
    asServiceWithin(ctx.db, () => ctx.db`
      update public.integration_live_data set
        secret_hash = previous_secret_hash, secret_hint = ${live.secret_hint}, secret_rotated_at = ${live.secret_rotated_at},
        previous_secret_hash = null, previous_secret_expires_at = null, last_error = ${error}, updated_at = now()
      where integration_id = ${integrationId} and org_id = ${ctx.org.id} and secret_hash = ${rotatedHash} and previous_secret_hash is not null`),
  );
}

/** Reads the destination's and rules' status from AWS and stores it (the card's "Refresh"). */
export async function refreshLiveDataStatus(scope: OrgScope, input: LiveDataRefInput, deps: LiveDataDeps): Promise<LiveDataState> {
  const { integration, live } = await loadForSetup(scope, deps, input.integrationId);
  if (!live) throw new AppError('NOT_FOUND', 'Live data is not set up for this integration.');
  try {
    const state = await withIot(deps, integration, (aws) => readLiveDataState(aws.clients.iot, integration.id, live.destination_arn, aws.signal));
    await recordState(scope, integration.id, state);
    return state;
  } catch (error) {
    const message = describeError(error);
    await recordState(scope, integration.id, { error: message });
    throw new AppError('PRECONDITION', `AWS did not answer the status request (${message}).`);
  }
}
