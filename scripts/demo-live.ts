import { integrationClients } from '../src/features/integrations/runtime/clients';
import { enableLiveData } from '../src/features/live-data/service';
import { platformIdentityFromEnv } from '../src/lib/aws/clients';
import { orgScope } from '../src/lib/context';
import { asService } from '../src/lib/db';
import { parseKeyring } from '../src/lib/vault';
import { logger } from '../src/lib/logger';
import { DEMO_INTEGRATION_NAME, DEMO_ORG, DEMO_USER } from './seed';

/**
 * Switches live data on for the demo's integration once the app answers: Fleetline creates the
 * simulator's topic rule destination and both rules as it would in a customer's account; the
 * simulator's confirmation POST then reaches the running app, so telemetry and presence flow in
 * real time. Run by `npm run demo` after the app is up (the confirmation needs it).
 */
export async function enableDemoLiveData(appUrl: string, log: (line: string) => void): Promise<void> {
  const [row] = await asService((tx) => tx<{ org_id: string; org_name: string; integration_id: string; user_id: string }[]>`
    select o.id as org_id, o.name as org_name, i.id as integration_id, o.created_by as user_id
    from public.organizations o
    join public.integrations i on i.org_id = o.id and i.name = ${DEMO_INTEGRATION_NAME}
    where o.slug = ${DEMO_ORG.slug}`);
  if (!row) throw new Error(`no integration "${DEMO_INTEGRATION_NAME}" in /${DEMO_ORG.slug}`);
  // The demo owner, as a signed-in session would carry them (the service checks the role itself).
  const scope = orgScope({
    user: { id: row.user_id, email: DEMO_USER.email, claims: { sub: row.user_id, role: 'authenticated', email: DEMO_USER.email } },
    org: { id: row.org_id, slug: DEMO_ORG.slug, name: row.org_name },
    role: 'owner',
    log: logger.child({ component: 'demo-live-data' }),
  });
  const keyring = parseKeyring(process.env.FLEETLINE_VAULT_KEYS);
  const result = await enableLiveData(scope, { integrationId: row.integration_id, topicFilter: 'dt/+/telemetry' }, {
    db: asService,
    runtime: { clients: integrationClients(keyring, platformIdentityFromEnv()), db: asService },
    appUrl,
  });
  if (!result.managed) throw new Error(result.error ?? 'the integration may not manage topic rules');
  log(`live data on for "${DEMO_INTEGRATION_NAME}": telemetry and presence arrive at ${appUrl}/api/ingest/v1/${row.integration_id}`);
}
