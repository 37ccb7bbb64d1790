import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgScopeFor, testKeyring, type TestIntegration, type TestOrg } from '../../../scripts/test/fixtures';
import { ingestLimits } from './config';
import { ingest } from './ingest';
import { INGEST_SECRET_GRACE_MINUTES, INGEST_SECRET_HEADER } from './secret';
import { disableLiveData, enableLiveData, rotateIngestSecret, type LiveDataDeps } from './service';

/**
 * The set-up for an integration without the rule permissions (no AWS call): the secret is returned
 * once with the hand set-up snippets, only its hash is stored, the endpoint accepts it, rotation
 * replaces it (the old one accepted for a grace period) and switching off makes every secret fail. (Managed set-up: provision.test.ts.)
 */
let org: TestOrg;
let integration: TestIntegration;
const deps: LiveDataDeps = { db: asService, runtime: { clients: integrationClients(testKeyring(), {}), db: asService }, appUrl: 'https://fleetline.example' };

async function status(secret: string) {
  const body = JSON.stringify({ thing: 'nobody', ts: Date.now(), battery: 1 });
  const res = await ingest(
    { db: asService, writePoints: async () => ({ written: 0 }), limits: ingestLimits({}) },
    { integrationId: integration.id, headers: new Headers({ [INGEST_SECRET_HEADER]: secret }), readBody: async () => body },
  );
  return res.status;
}

beforeAll(async () => {
  org = await createTestOrg('live-setup');
  integration = await createTestIntegration(org);
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('hand set-up', () => {
  it('switches on with a once-shown secret and snippets, rotates it, and switches off', async () => {
    const scope = orgScopeFor(org, 'admin');
    const on = await enableLiveData(scope, { integrationId: integration.id, topicFilter: 'devices/+/data' }, deps);
    expect(on).toMatchObject({ managed: false, error: null });
    const secret = on.secret!;
    expect(on.manual!.cli).toContain(secret);
    expect(on.manual!.cli).toContain(`https://fleetline.example/api/ingest/v1/${integration.id}`);
    expect(on.manual!.cloudFormation).toContain("FROM 'devices/+/data'");

    const [row] = await adminSql()<{ enabled: boolean; secret_hash: Buffer; secret_hint: string; topic_filter: string }[]>`
      select enabled, secret_hash, secret_hint, topic_filter from public.integration_live_data where integration_id = ${integration.id}`;
    expect(row).toMatchObject({ enabled: true, secret_hint: `…${secret.slice(-4)}`, topic_filter: 'devices/+/data' });
    expect(row!.secret_hash.toString('utf8')).not.toContain(secret);
    const [audit] = await adminSql()<{ action: string; details: Record<string, unknown> }[]>`
      select action, details from public.audit_log where org_id = ${org.id} and target_id = ${integration.id} order by created_at limit 1`;
    expect(audit).toEqual({ action: 'live_data.enabled', details: { topicFilter: 'devices/+/data', managed: false } });
    expect(JSON.stringify(audit)).not.toContain(secret);

    expect(await status(secret)).toBe(200);
    const before = Date.now();
    const rotated = await rotateIngestSecret(scope, { integrationId: integration.id }, deps);
    expect(rotated).toMatchObject({ managed: false, error: null });
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.manual!.cli).toContain(rotated.secret!);
    // The grace period: both secrets are accepted until the old one's end, which the admin is told.
    const ends = Date.parse(rotated.previousSecretExpiresAt!);
    expect(ends - before).toBeGreaterThanOrEqual(INGEST_SECRET_GRACE_MINUTES * 60_000 - 5_000);
    expect(ends - before).toBeLessThanOrEqual(INGEST_SECRET_GRACE_MINUTES * 60_000 + 5_000);
    expect(await status(secret)).toBe(200);
    expect(await status(rotated.secret!)).toBe(200);
    const [view] = await as(org.members.viewer, (db) => db<{ previous_secret_expires_at: Date }[]>`
      select previous_secret_expires_at from public.integration_live_data where integration_id = ${integration.id}`);
    expect(view!.previous_secret_expires_at.getTime()).toBe(ends);
    await expect(as(org.members.admin, (db) => db`select previous_secret_hash from public.integration_live_data`)).rejects.toMatchObject({ code: '42501' });

    // Once the grace period is over, only the new secret opens the endpoint.
    await adminSql()`update public.integration_live_data set previous_secret_expires_at = now() - interval '1 second' where integration_id = ${integration.id}`;
    expect(await status(secret)).toBe(401);
    expect(await status(rotated.secret!)).toBe(200);

    // A second rotation keeps only the secret it replaced, not the one before.
    const again = await rotateIngestSecret(scope, { integrationId: integration.id }, deps);
    expect(await status(rotated.secret!)).toBe(200);
    expect(await status(again.secret!)).toBe(200);
    expect(await status(secret)).toBe(401);
    const [rotation] = await adminSql()<{ details: Record<string, unknown> }[]>`
      select details from public.audit_log where org_id = ${org.id} and action = 'live_data.secret_rotated' order by created_at limit 1`;
    expect(rotation!.details).toEqual({ managed: false, graceMinutes: INGEST_SECRET_GRACE_MINUTES });

    expect(await disableLiveData(scope, { integrationId: integration.id }, deps)).toEqual({ error: null });
    expect(await status(rotated.secret!)).toBe(401);
    expect(await status(again.secret!)).toBe(401);
  });
});
