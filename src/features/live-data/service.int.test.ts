import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { adminSql, closeAdminSql, createTestIntegration, createTestOrg, orgScopeFor, testKeyring, type TestIntegration, type TestOrg } from '../../../scripts/test/fixtures';
import { ingestLimits } from './config';
import { ingest } from './ingest';
import { INGEST_SECRET_HEADER } from './secret';
import { disableLiveData, enableLiveData, rotateIngestSecret, type LiveDataDeps } from './service';

/**
 * The set-up for an integration without the rule permissions (no AWS call): the secret is returned
 * once with the hand set-up snippets, only its hash is stored, the endpoint accepts it, rotation
 * replaces it and switching off makes every secret fail. (Managed set-up: provision.test.ts.)
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
    const rotated = await rotateIngestSecret(scope, { integrationId: integration.id }, deps);
    expect(rotated.secret).not.toBe(secret);
    expect(await status(secret)).toBe(401);
    expect(await status(rotated.secret!)).toBe(200);

    expect(await disableLiveData(scope, { integrationId: integration.id }, deps)).toEqual({ error: null });
    expect(await status(rotated.secret!)).toBe(401);
  });
});
