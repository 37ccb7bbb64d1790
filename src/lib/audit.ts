import type postgres from 'postgres';
import type { OrgContext } from './context';
import { asServiceWithin } from './service-role';

export type AuditDetails = Record<string, postgres.JSONValue>;

/**
 * Records who did what in the organization's audit log, inside the caller's transaction (so a
 * failed action leaves no audit row). `details` must never hold secrets. The log is service-only
 * (members cannot forge or append history): ctx's org and user are the ones the wrapper checked.
 */
export async function recordAudit(
  ctx: Pick<OrgContext, 'db' | 'org' | 'user'>,
  action: string,
  target: { type: string; id: string },
  details: AuditDetails = {},
): Promise<void> {
  await asServiceWithin(ctx.db, () => ctx.db`
    insert into public.audit_log (org_id, actor_id, action, target_type, target_id, details)
    values (${ctx.org.id}, ${ctx.user.id}, ${action}, ${target.type}, ${target.id}, ${ctx.db.json(details)})`);
}
