import type { Logger } from 'pino';
import type { JwtClaims, Tx } from './db';
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
