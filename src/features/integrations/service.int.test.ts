import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeDatabase } from '@/lib/db';
import type { OrgRole } from '@/lib/roles';
import { decryptCredentials } from '@/lib/vault';
import {
  DEFAULT_TIMESTREAM_DATABASE,
  DEFAULT_TIMESTREAM_TABLE,
  DEMO_ACCOUNT_ID,
  DEMO_CREDENTIALS,
  DEMO_REGION,
  DEMO_ROLE_ARN,
  LIMITED_CREDENTIALS,
} from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, as, closeAdminSql, createTestOrg, orgContext, orgScopeFor, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { CHECKS, type PreflightReport } from './capabilities';
import { issueDraft } from './draft';
import { runPreflight, type PreflightTarget } from './preflight';
import { getIntegration, listIntegrations } from './queries';
import type { CreateIntegrationInput } from './schemas';
import { createIntegrationSchema } from './schemas';
import {
  createIntegration,
  deleteIntegration,
  pauseIntegration,
  resumeIntegration,
  rotateCredentials,
  testConnection,
  testIntegration,
  updateIntegration,
  type IntegrationDeps,
} from './service';

/**
 * The integrations service against a real database (RLS as each persona) and the AWS fleet
 * simulator started by this file: create, test, update, pause, rotate, delete, with role checks,
 * audit rows that never hold secrets, and nothing saved when AWS refuses the credentials.
 */
let sim: RunningSimulator;
let org: TestOrg;
let other: TestOrg;
let deps: IntegrationDeps;

const ROTATED = { accessKeyId: 'AKIAFLEETLINEROTATE1', secretAccessKey: 'FleetlineRotatedSecret+Local+Only+000009' };
const REVOKED = { accessKeyId: 'AKIAFLEETLINEREVOKE1', secretAccessKey: 'FleetlineRevokedSecret+Local+Only+000008' };
const WRONG_SECRET = `${LIMITED_CREDENTIALS.secretAccessKey.slice(0, 39)}X`;
const SECRETS = [DEMO_CREDENTIALS.secretAccessKey, LIMITED_CREDENTIALS.secretAccessKey, ROTATED.secretAccessKey, REVOKED.secretAccessKey, WRONG_SECRET];

beforeAll(async () => {
  sim = await startTestSimulator({ things: 25 });
  for (const key of [ROTATED, REVOKED]) sim.control.putKey({ ...key, accountId: DEMO_ACCOUNT_ID, userName: key.accessKeyId, actions: ['*'] });
  org = await createTestOrg('svc-int');
  other = await createTestOrg('svc-int-other');
  deps = { keyring: testKeyring(), platform: { credentials: DEMO_CREDENTIALS, stsEndpoint: sim.url } };
});

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

function input(target: TestOrg, overrides: { name?: string; credentials?: { accessKeyId: string; secretAccessKey: string }; timestream?: boolean } = {}): CreateIntegrationInput {
  const draft = issueDraft(testKeyring(), target.id);
  const credentials = overrides.credentials ?? LIMITED_CREDENTIALS;
  return createIntegrationSchema.parse({
    draft: { integrationId: draft.integrationId, externalId: draft.externalId, token: draft.token },
    details: {
      authType: 'access_keys',
      name: overrides.name ?? `Simulator ${draft.integrationId.slice(0, 6)}`,
      region: DEMO_REGION,
      ...credentials,
      customEndpoint: sim.url,
      timestreamDatabase: overrides.timestream === false ? '' : DEFAULT_TIMESTREAM_DATABASE,
      timestreamTable: overrides.timestream === false ? '' : DEFAULT_TIMESTREAM_TABLE,
    },
    schedule: { syncIntervalSeconds: 600, syncBudget: 0.25 },
  });
}

const run = <T>(target: TestOrg, role: OrgRole, fn: (ctx: ReturnType<typeof orgContext>) => Promise<T>) =>
  as(target.members[role], (db) => fn(orgContext(db, target, role)));
/** Services that call AWS take a scope (short transactions around the call), not a transaction. */
const scoped = <T>(target: TestOrg, role: OrgRole, fn: (scope: ReturnType<typeof orgScopeFor>) => Promise<T>) => fn(orgScopeFor(target, role));

async function row(id: string) {
  const [r] = await adminSql()<{ credentials: string | null; credentials_hint: string | null; status: string; last_error: string | null; capabilities: { checks: { id: string; status: string; error?: string }[]; syncMode: string }; last_tested_at: Date | null; name: string; external_id: string | null; role_arn: string | null }[]>`
    select credentials, credentials_hint, status, last_error, capabilities, last_tested_at, name, external_id, role_arn from public.integrations where id = ${id}`;
  return r;
}

async function audits(orgId: string, targetId?: string) {
  return adminSql()<{ action: string; actor_id: string; details: Record<string, unknown>; text: string }[]>`
    select action, actor_id, details, details::text as text from public.audit_log
    where org_id = ${orgId} and target_type = 'integration' ${targetId ? adminSql()`and target_id = ${targetId}` : adminSql()``}
    order by id`;
}

describe('creating an integration', () => {
  it('encrypts the keys for the row, stores hint, capabilities and endpoint, and audits without secrets', async () => {
    const request = input(org, { name: 'Simulator limited' });
    const { id } = await createIntegration(orgScopeFor(org, 'admin'), request, deps);
    expect(id).toBe(request.draft.integrationId);
    const stored = (await row(id))!;
    expect(stored.credentials).toMatch(/^v1\.test1\./);
    expect(stored.credentials).not.toContain(LIMITED_CREDENTIALS.secretAccessKey);
    expect(decryptCredentials(testKeyring(), { orgId: org.id, integrationId: id }, stored.credentials!)).toEqual(LIMITED_CREDENTIALS);
    expect(stored).toMatchObject({ credentials_hint: 'AKIA…IT01', status: 'active', last_error: null, external_id: null });
    expect(stored.capabilities.syncMode).toBe('fleet_index');
    expect(stored.capabilities.checks.filter((c) => c.status === 'failed')).toEqual([
      { id: 'timestreamQuery', status: 'failed', error: 'AccessDeniedException', message: expect.any(String) },
      { id: 'liveData', status: 'failed', error: 'AccessDeniedException', message: expect.any(String) },
    ]);

    const [created] = await audits(org.id, id);
    expect(created).toMatchObject({ action: 'integration.created', actor_id: org.members.admin.id, details: { credentialsHint: 'AKIA…IT01', failedChecks: ['timestreamQuery', 'liveData'], syncMode: 'fleet_index' } });
    expect(created!.text).not.toContain(LIMITED_CREDENTIALS.secretAccessKey);
    expect(created!.text).not.toContain(LIMITED_CREDENTIALS.accessKeyId);
  });

  it('saves nothing when AWS refuses the credentials', async () => {
    const request = input(org, { credentials: { ...LIMITED_CREDENTIALS, secretAccessKey: WRONG_SECRET } });
    await expect(createIntegration(orgScopeFor(org, 'owner'), request, deps)).rejects.toMatchObject({
      code: 'PRECONDITION',
      message: expect.stringMatching(/secret access key does not match/),
    });
    expect(await row(request.draft.integrationId)).toBeUndefined();
    expect(await audits(org.id, request.draft.integrationId)).toEqual([]);
  });

  it.each(['operator', 'viewer'] as const)('refuses a %s before any AWS call, saving nothing', async (role) => {
    const spy = vi.fn<(t: PreflightTarget) => Promise<PreflightReport>>();
    const request = input(org);
    await expect(createIntegration(orgScopeFor(org, role), request, { ...deps, preflight: spy })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(spy).not.toHaveBeenCalled();
    expect(await row(request.draft.integrationId)).toBeUndefined();
  });

  it('refuses a draft issued to another organization', async () => {
    const foreign = input(other);
    await expect(createIntegration(orgScopeFor(org, 'owner'), foreign, deps)).rejects.toMatchObject({ code: 'PRECONDITION', message: expect.stringMatching(/not valid for this organization/) });
    expect(await row(foreign.draft.integrationId)).toBeUndefined();
  });

  it('keeps names unique per organization and saves a draft once', async () => {
    await expect(createIntegration(orgScopeFor(org, 'admin'), input(org, { name: 'simulator LIMITED' }), deps)).rejects.toMatchObject({
      code: 'CONFLICT',
      fieldErrors: { name: [expect.any(String)] },
    });
    const once = input(org, { name: 'Saved once', timestream: false, credentials: DEMO_CREDENTIALS });
    await createIntegration(orgScopeFor(org, 'admin'), once, deps);
    const again = { ...once, details: { ...once.details, name: 'Saved twice' } };
    await expect(createIntegration(orgScopeFor(org, 'admin'), again, deps)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already saved/) });
  });

  it('stores a role with the External ID Fleetline issued, and no keys', async () => {
    const draft = issueDraft(testKeyring(), org.id);
    const request = createIntegrationSchema.parse({
      draft: { integrationId: draft.integrationId, externalId: draft.externalId, token: draft.token },
      details: { authType: 'assume_role', name: 'Simulator role', region: DEMO_REGION, roleArn: DEMO_ROLE_ARN, customEndpoint: sim.url },
      schedule: {},
    });
    await expect(createIntegration(orgScopeFor(org, 'admin'), request, deps)).rejects.toMatchObject({ code: 'PRECONDITION', message: expect.stringContaining(draft.externalId) });
    expect(await row(draft.integrationId)).toBeUndefined();

    sim.control.putRole({ roleArn: DEMO_ROLE_ARN, externalId: draft.externalId, actions: ['iot:*', 'timestream:Select'], maxSessionDurationSeconds: 3600 });
    await createIntegration(orgScopeFor(org, 'admin'), request, deps);
    expect(await row(draft.integrationId)).toMatchObject({ credentials: null, credentials_hint: null, role_arn: DEMO_ROLE_ARN, external_id: draft.externalId, status: 'active' });
    const report = await testIntegration(orgScopeFor(org, 'admin'), { integrationId: draft.integrationId }, deps);
    expect(report.canSave).toBe(true);
  });
});

describe('testing, updating and pausing a saved integration', () => {
  let id: string;
  beforeAll(async () => {
    ({ id } = await createIntegration(orgScopeFor(org, 'admin'), input(org, { name: 'Revocable', credentials: REVOKED }), deps));
  });

  it('refreshes capabilities, endpoint and status for an admin; operators cannot test', async () => {
    await adminSql()`update public.integrations set capabilities = '{}', last_tested_at = null, iot_data_endpoint = null where id = ${id}`;
    const report = await testIntegration(orgScopeFor(org, 'owner'), { integrationId: id }, deps);
    expect(report.canSave).toBe(true);
    const stored = (await row(id))!;
    expect(stored.last_tested_at).toBeInstanceOf(Date);
    expect(stored.capabilities.checks).toHaveLength(CHECKS.length);
    await expect(testIntegration(orgScopeFor(org, 'operator'), { integrationId: id }, deps)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await audits(org.id, id)).map((a) => a.action)).toEqual(['integration.created', 'integration.tested']);
  });

  it('records a revoked key as an error with a clear message', async () => {
    sim.control.iam.deleteKey(REVOKED.accessKeyId);
    const report = await testIntegration(orgScopeFor(org, 'admin'), { integrationId: id }, deps);
    expect(report.authFailure).toMatchObject({ error: 'UnrecognizedClientException' });
    expect(await row(id)).toMatchObject({ status: 'error', last_error: expect.stringMatching(/does not recognise this access key id/) });
    const tested = (await audits(org.id, id)).at(-1)!;
    expect(tested).toMatchObject({ action: 'integration.tested', details: { ok: false, authError: 'UnrecognizedClientException' } });
  });

  it('rotates to new keys: tested, re-encrypted for the row, audited with hints only', async () => {
    const before = (await row(id))!.credentials;
    await expect(rotateCredentials(orgScopeFor(org, 'admin'), { integrationId: id, ...ROTATED, secretAccessKey: WRONG_SECRET }, deps)).rejects.toMatchObject({
      code: 'PRECONDITION',
      message: expect.stringMatching(/^The new keys were not saved/),
    });
    await expect(rotateCredentials(orgScopeFor(org, 'viewer'), { integrationId: id, ...ROTATED }, deps)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await row(id))!.credentials).toBe(before);

    const result = await rotateCredentials(orgScopeFor(org, 'admin'), { integrationId: id, ...ROTATED }, deps);
    expect(result).toEqual({ credentialsHint: 'AKIA…ATE1' });
    const stored = (await row(id))!;
    expect(stored.credentials).not.toBe(before);
    expect(decryptCredentials(testKeyring(), { orgId: org.id, integrationId: id }, stored.credentials!)).toEqual(ROTATED);
    expect(stored).toMatchObject({ credentials_hint: 'AKIA…ATE1', status: 'active', last_error: null });
    const rotated = (await audits(org.id, id)).at(-1)!;
    expect(rotated).toMatchObject({ action: 'integration.credentials_rotated', details: { previousHint: 'AKIA…OKE1', credentialsHint: 'AKIA…ATE1' } });
  });

  it('updates name and schedule, and refuses an endpoint that cannot be reached without changing anything', async () => {
    const base = { integrationId: id, name: 'Rotated', syncIntervalSeconds: 900, syncBudget: 0.75, customEndpoint: sim.url, timestreamDatabase: DEFAULT_TIMESTREAM_DATABASE, timestreamTable: DEFAULT_TIMESTREAM_TABLE };
    await updateIntegration(orgScopeFor(org, 'admin'), base, deps);
    const detail = await run(org, 'viewer', (ctx) => getIntegration(ctx.db, org.id, id));
    expect(detail).toMatchObject({ name: 'Rotated', syncIntervalSeconds: 900, syncBudget: 0.75 });
    const updated = (await audits(org.id, id)).at(-1)!;
    expect(updated).toMatchObject({ action: 'integration.updated', details: { changes: { name: { from: 'Revocable', to: 'Rotated' }, syncIntervalSeconds: { from: 600, to: 900 } }, retested: false } });

    await expect(updateIntegration(orgScopeFor(org, 'admin'), { ...base, name: 'Moved', customEndpoint: 'http://127.0.0.1:9' }, deps)).rejects.toMatchObject({
      code: 'PRECONDITION',
      message: expect.stringMatching(/^Nothing was changed/),
    });
    expect(await run(org, 'admin', (ctx) => getIntegration(ctx.db, org.id, id))).toMatchObject({ name: 'Rotated', customEndpoint: sim.url });
    await expect(updateIntegration(orgScopeFor(org, 'operator'), { ...base, name: 'Operator was here' }, deps)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('pauses and resumes, audited', async () => {
    await run(org, 'admin', (ctx) => pauseIntegration(ctx, { integrationId: id }));
    expect(await row(id)).toMatchObject({ status: 'paused' });
    await expect(run(org, 'viewer', (ctx) => resumeIntegration(ctx, { integrationId: id }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await run(org, 'admin', (ctx) => resumeIntegration(ctx, { integrationId: id }));
    expect(await row(id)).toMatchObject({ status: 'active' });
    expect((await audits(org.id, id)).slice(-2).map((a) => a.action)).toEqual(['integration.paused', 'integration.resumed']);
  });

  it('refuses to rotate keys of a role integration', async () => {
    const [roleRow] = await adminSql()<{ id: string }[]>`select id from public.integrations where org_id = ${org.id} and auth_type = 'assume_role'`;
    await expect(rotateCredentials(orgScopeFor(org, 'admin'), { integrationId: roleRow!.id, ...ROTATED }, deps)).rejects.toMatchObject({ code: 'PRECONDITION' });
  });
});

describe('reading and deleting', () => {
  it('gives operators and viewers the list and details, never the token', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      const list = await run(org, role, (ctx) => listIntegrations(ctx.db, org.id));
      expect(list.items.length).toBeGreaterThanOrEqual(3);
      const details = await Promise.all(list.items.map((i) => run(org, role, (ctx) => getIntegration(ctx.db, org.id, i.id))));
      const text = JSON.stringify([list, details]);
      expect(text).not.toMatch(/"credentials"|v1\.test1\./);
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
    const firstPage = await run(org, 'viewer', (ctx) => listIntegrations(ctx.db, org.id, { limit: 2 }));
    const secondPage = await run(org, 'viewer', (ctx) => listIntegrations(ctx.db, org.id, { limit: 2, cursor: firstPage.nextCursor! }));
    expect(firstPage.items).toHaveLength(2);
    expect(secondPage.items.map((i) => i.id)).not.toContain(firstPage.items[0]!.id);
  });

  it('cannot use a token copied from another organization’s row', async () => {
    const [source] = await adminSql()<{ credentials: string }[]>`select credentials from public.integrations where org_id = ${org.id} and credentials is not null limit 1`;
    const victim = await createIntegration(orgScopeFor(other, 'owner'), input(other, { credentials: DEMO_CREDENTIALS, timestream: false }), deps);
    await adminSql()`update public.integrations set credentials = ${source!.credentials} where id = ${victim.id}`;
    const spy = vi.fn<(t: PreflightTarget) => Promise<PreflightReport>>();
    await expect(testIntegration(orgScopeFor(other, 'owner'), { integrationId: victim.id }, { ...deps, preflight: spy })).rejects.toMatchObject({
      code: 'PRECONDITION',
      message: expect.stringMatching(/cannot be decrypted/),
    });
    expect(spy).not.toHaveBeenCalled();
  });

  it('deletes for admins who confirm with the name; others are refused; the audit row stays', async () => {
    const { id } = await createIntegration(orgScopeFor(org, 'admin'), input(org, { name: 'Doomed', timestream: false }), deps);
    for (const role of ['operator', 'viewer'] as const) {
      await expect(run(org, role, (ctx) => deleteIntegration(ctx, { integrationId: id, confirmName: 'Doomed' }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    await expect(run(org, 'admin', (ctx) => deleteIntegration(ctx, { integrationId: id, confirmName: 'doomed' }))).rejects.toMatchObject({
      code: 'VALIDATION',
      fieldErrors: { confirmName: [expect.any(String)] },
    });
    await expect(run(other, 'owner', (ctx) => deleteIntegration(ctx, { integrationId: id, confirmName: 'Doomed' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await row(id)).toBeDefined();
    await run(org, 'owner', (ctx) => deleteIntegration(ctx, { integrationId: id, confirmName: 'Doomed' }));
    expect(await row(id)).toBeUndefined();
    expect((await audits(org.id, id)).at(-1)).toMatchObject({ action: 'integration.deleted', actor_id: org.members.owner.id, details: { name: 'Doomed', credentialsHint: 'AKIA…IT01' } });
  });

  it('wrote no secret into any audit row of either organization', async () => {
    const rows = [...(await audits(org.id)), ...(await audits(other.id))];
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['integration.created', 'integration.tested', 'integration.updated', 'integration.credentials_rotated', 'integration.deleted']));
    const text = rows.map((r) => r.text).join('\n');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\./);
  });
});

describe('custom endpoints and the outbound-address guard', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('refuses a custom endpoint in production unless its host is allow-listed, with a field error and nothing saved', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const request = input(org, { name: 'Production custom' });
    await expect(scoped(org, 'admin', (scope) => createIntegration(scope, request, deps))).rejects.toMatchObject({
      code: 'VALIDATION',
      fieldErrors: { customEndpoint: ['Custom endpoints are not enabled on this deployment.'] },
    });
    expect(await row(request.draft.integrationId)).toBeUndefined();
    await expect(scoped(org, 'admin', (scope) => testConnection(scope, { draft: request.draft, connection: request.details }, deps))).rejects.toMatchObject({ code: 'VALIDATION' });

    vi.stubEnv('FLEETLINE_CUSTOM_ENDPOINT_HOSTS', 'sim.example.com');
    await expect(scoped(org, 'admin', (scope) => createIntegration(scope, request, deps))).rejects.toMatchObject({
      code: 'VALIDATION',
      fieldErrors: { customEndpoint: ['This endpoint is not allowed.'] },
    });

    vi.stubEnv('FLEETLINE_CUSTOM_ENDPOINT_HOSTS', '127.0.0.1');
    await scoped(org, 'admin', (scope) => createIntegration(scope, request, deps));
    expect(await row(request.draft.integrationId)).toMatchObject({ status: 'active' });
  });

  it('refuses private and metadata endpoints at input in every environment', async () => {
    for (const customEndpoint of ['https://10.0.0.1', 'http://169.254.169.254', 'https://[::ffff:a9fe:a9fe]', 'https://[fd00:ec2::254]']) {
      const request = input(org);
      await expect(
        scoped(org, 'admin', (scope) => createIntegration(scope, { ...request, details: { ...request.details, customEndpoint } }, deps)),
      ).rejects.toMatchObject({ code: 'VALIDATION', message: 'This endpoint is not allowed.' });
    }
  });

  it('test connection of a saved integration whose endpoint resolves to loopback says only that it is not allowed', async () => {
    const request = input(org, { name: 'Later refused' });
    const { id } = await scoped(org, 'admin', (scope) => createIntegration(scope, { ...request, details: { ...request.details, customEndpoint: sim.url.replace('127.0.0.1', 'localhost') } }, deps));
    vi.stubEnv('FLEETLINE_OUTBOUND_ALLOW_LOOPBACK', 'false');
    const report = await scoped(org, 'admin', (scope) => testIntegration(scope, { integrationId: id }, deps));
    expect(report.authFailure).toEqual({ kind: 'unreachable', error: 'OutboundAddressError', message: 'This endpoint is not allowed.' });
    expect(await row(id)).toMatchObject({ status: 'error', last_error: 'This endpoint is not allowed.' });
  });

  it('never stores a data endpoint that is not AWS IoT’s for the region', async () => {
    const { id } = await scoped(org, 'admin', (scope) => createIntegration(scope, input(org, { name: 'Endpoint check' }), deps));
    const endpoint = async () => (await adminSql()<{ e: string | null }[]>`select iot_data_endpoint as e from public.integrations where id = ${id}`)[0]!.e;
    const good = await endpoint();
    expect(good).toMatch(/-ats\.iot\.us-east-1\.amazonaws\.com$/);
    const real = (t: PreflightTarget) => runPreflight(t, { platform: deps.platform });
    for (const bad of ['169.254.169.254', 'evil.example.com', 'x-ats.iot.eu-west-1.amazonaws.com']) {
      const lying = { ...deps, preflight: async (t: PreflightTarget): Promise<PreflightReport> => ({ ...(await real(t)), endpoint: bad }) };
      await scoped(org, 'admin', (scope) => testIntegration(scope, { integrationId: id }, lying));
      expect(await endpoint()).toBe(good);
    }
  });
});
