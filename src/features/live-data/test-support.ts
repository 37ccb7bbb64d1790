import { adminSql } from '../../../scripts/test/fixtures';
import { newIngestSecret } from './secret';

/** Switches live data on for an integration as the set-up would, returning the (once-shown) secret. */
export async function enableLiveDataForTest(integration: { id: string; orgId: string }, options: { enabled?: boolean } = {}): Promise<string> {
  const { secret, hash, hint } = newIngestSecret();
  await adminSql()`
    insert into public.integration_live_data (integration_id, org_id, enabled, secret_hash, secret_hint, secret_rotated_at)
    values (${integration.id}, ${integration.orgId}, ${options.enabled ?? true}, ${hash}, ${hint}, now())
    on conflict (integration_id) do update set enabled = excluded.enabled, secret_hash = excluded.secret_hash, secret_hint = excluded.secret_hint`;
  return secret;
}
