import type { Logger } from 'pino';
import { asUser, type JwtClaims, type Tx } from './db';
import type { OrgRole } from './roles';

/** What services receive; shared by server actions and the worker (no next/* imports here). */
export interface SessionUser {
  id: string;
  email: string;
  claims: JwtClaims;
}

export interface OrgRef {
  id: string;
  slug: string;
  name: string;
}

export interface UserContext {
  user: SessionUser;
  db: Tx;
  log: Logger;
}

export interface OrgContext extends UserContext {
  org: OrgRef;
  role: OrgRole;
}

/**
 * What services that call AWS (or any other network) receive instead of an open transaction: the
 * membership was checked and committed; each withDb runs a short transaction as the user (RLS
 * applies), so no connection waits while AWS answers. Check → commit → call out → write briefly.
 */
export interface OrgScope {
  user: SessionUser;
  log: Logger;
  org: OrgRef;
  role: OrgRole;
  withDb<T>(fn: (ctx: OrgContext) => Promise<T>): Promise<T>;
}

export function orgScope(base: Omit<OrgScope, 'withDb'>): OrgScope {
  return { ...base, withDb: (fn) => asUser(base.user.claims, (db) => fn({ ...base, db })) };
}
