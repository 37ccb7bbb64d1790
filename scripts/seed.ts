import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import { insertDemoAlertRules, routeDemoAlertRules } from '../src/features/alerts/demo-rules';
import { toStoredCapabilities } from '../src/features/integrations/capabilities';
import { runPreflight } from '../src/features/integrations/preflight';
import { DEMO_CHANNEL_NAME, ensureDemoChannel } from '../src/features/notifications/demo-channel';
import { credentialsHint, encryptCredentials, parseKeyring } from '../src/lib/vault';
import { DEFAULT_TIMESTREAM_DATABASE, DEFAULT_TIMESTREAM_TABLE, DEMO_CREDENTIALS, DEMO_REGION } from './sim/config';

/** The demo login printed by `npm run demo` and shown in the README. */
export const DEMO_USER = { email: 'demo@fleetline.dev', password: 'fleetline-demo' } as const;
/** Teammates in the demo organization, to see what each role may do. */
export const DEMO_MEMBERS = [
  { email: 'operator@fleetline.dev', password: 'fleetline-demo', role: 'operator' },
  { email: 'viewer@fleetline.dev', password: 'fleetline-demo', role: 'viewer' },
] as const;
export const DEMO_ORG = { slug: 'demo', name: 'Demo Fleet' } as const;
export const DEMO_INTEGRATION_NAME = 'AWS simulator';

/**
 * Seeds the demo organization and its owner. Idempotent: running it again changes nothing.
 * Users are created through the auth server's admin API, as on hosted Supabase.
 */
export async function seedDemo(env: Record<string, string>, log: (line: string) => void): Promise<void> {
  const admin = createClient(env.SUPABASE_URL!, env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const sql = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    const ensureUser = async (credentials: { email: string; password: string }) => {
      const [existing] = await sql<{ id: string }[]>`select id from auth.users where email = ${credentials.email}`;
      if (existing) return existing;
      const { data, error } = await admin.auth.admin.createUser({ ...credentials, email_confirm: true });
      if (error || !data.user) throw new Error(`could not create the demo user ${credentials.email}: ${error?.message}`);
      log(`created user ${credentials.email}`);
      return { id: data.user.id };
    };
    const user = await ensureUser(DEMO_USER);
    // Only the credentials go to the auth server: `role` is the org role, not the JWT role.
    const members = await Promise.all(DEMO_MEMBERS.map(async (member) => ({ ...member, id: (await ensureUser({ email: member.email, password: member.password })).id })));
    const orgId = await sql.begin(async (tx) => {
      const [org] = await tx<{ id: string }[]>`
        insert into public.organizations (slug, name, created_by) values (${DEMO_ORG.slug}, ${DEMO_ORG.name}, ${user.id})
        on conflict (slug) do update set slug = excluded.slug
        returning id`;
      await tx`
        insert into public.memberships (org_id, user_id, role) values (${org!.id}, ${user.id}, 'owner')
        on conflict (org_id, user_id) do nothing`;
      for (const member of members) {
        await tx`
          insert into public.memberships (org_id, user_id, role) values (${org!.id}, ${member.id}, ${member.role})
          on conflict (org_id, user_id) do nothing`;
      }
      return org!.id;
    });
    log(`organization /${DEMO_ORG.slug} ready`);
    await seedDemoIntegration(sql, env, orgId, user.id, log);
    await insertDemoAlertRules(sql, orgId, user.id);
    // The demo rules mail the owner (the stack's MailDev inbox), who also gets a daily fleet report.
    const channel = await ensureDemoChannel(sql, { orgId, createdBy: user.id, recipient: DEMO_USER.email });
    if (channel.created) {
      await routeDemoAlertRules(sql, orgId, channel.id);
      log(`e-mail channel "${DEMO_CHANNEL_NAME}" → ${DEMO_USER.email}: demo alert rules routed to it, daily report on`);
    }
  } finally {
    await sql.end();
  }
}

/**
 * The demo organization's integration: the stack's AWS simulator with its full-access demo key,
 * encrypted with the stack's keyring like any other. Created once; an existing one is left alone.
 */
async function seedDemoIntegration(sql: postgres.Sql, env: Record<string, string>, orgId: string, userId: string, log: (line: string) => void) {
  const endpoint = env.FLEETLINE_AWS_SIM_ENDPOINT;
  if (!endpoint || !env.FLEETLINE_VAULT_KEYS) {
    log('no FLEETLINE_AWS_SIM_ENDPOINT or FLEETLINE_VAULT_KEYS: demo integration skipped');
    return;
  }
  const [existing] = await sql`select id from public.integrations where org_id = ${orgId} and lower(name) = lower(${DEMO_INTEGRATION_NAME})`;
  if (existing) {
    log(`integration "${DEMO_INTEGRATION_NAME}" already there`);
    return;
  }
  const id = randomUUID();
  const report = await runPreflight(
    { integrationId: id, region: DEMO_REGION, customEndpoint: endpoint, timestreamDatabase: DEFAULT_TIMESTREAM_DATABASE, timestreamTable: DEFAULT_TIMESTREAM_TABLE, auth: { type: 'access_keys', credentials: DEMO_CREDENTIALS } },
    { platform: {} },
  );
  const token = encryptCredentials(parseKeyring(env.FLEETLINE_VAULT_KEYS), { orgId, integrationId: id }, DEMO_CREDENTIALS);
  const capabilities = toStoredCapabilities(report);
  await sql`
    insert into public.integrations (
      id, org_id, name, region, auth_type, credentials, credentials_hint, iot_data_endpoint, custom_endpoint,
      timestream_database, timestream_table, sync_interval_seconds, status, capabilities, last_error, last_tested_at, created_by)
    values (
      ${id}, ${orgId}, ${DEMO_INTEGRATION_NAME}, ${DEMO_REGION}, 'access_keys', ${token}, ${credentialsHint(DEMO_CREDENTIALS.accessKeyId)},
      ${report.endpoint}, ${endpoint}, ${DEFAULT_TIMESTREAM_DATABASE}, ${DEFAULT_TIMESTREAM_TABLE}, 60,
      ${report.canSave ? 'active' : 'error'}, ${sql.json(capabilities ? JSON.parse(JSON.stringify(capabilities)) : {})},
      ${report.authFailure?.message ?? null}, ${report.testedAt}, ${userId})
    on conflict do nothing`;
  log(`integration "${DEMO_INTEGRATION_NAME}" → ${endpoint} (${report.canSave ? 'connection tested' : `test failed: ${report.authFailure?.message ?? 'missing permissions'}`})`);
}
