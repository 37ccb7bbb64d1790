import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { NIL_UUID, type Db } from './context';
import type { AuthRequest } from './http';

export type AuditAction =
  | 'user_signedup'
  | 'login'
  | 'logout'
  | 'token_refreshed'
  | 'token_revoked'
  | 'user_modified'
  | 'user_updated_password'
  | 'user_deleted';

const LOG_TYPES: Record<AuditAction, string> = {
  user_signedup: 'team',
  login: 'account',
  logout: 'account',
  token_refreshed: 'token',
  token_revoked: 'token',
  user_modified: 'user',
  user_updated_password: 'user',
  user_deleted: 'team',
};

/** One `auth.audit_log_entries` row in GoTrue's payload shape (never secrets). */
export async function audit(
  db: Db,
  req: AuthRequest,
  actor: { id: string; email: string | null },
  action: AuditAction,
  traits?: Record<string, unknown>,
): Promise<void> {
  const payload = {
    actor_id: actor.id,
    actor_username: actor.email ?? '',
    actor_via_sso: false,
    action,
    log_type: LOG_TYPES[action],
    ...(traits ? { traits } : {}),
  };
  await db`
    insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
    values (${NIL_UUID}, ${randomUUID()}, ${db.json(payload as postgres.JSONValue)}::json, now(), ${(req.ip ?? '').slice(0, 64)})`;
}
