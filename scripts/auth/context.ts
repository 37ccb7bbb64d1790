import type postgres from 'postgres';
import type { KeyMaterial } from './tokens';

/** Anything that runs tagged-template queries: the pool or a transaction. */
export type Db = postgres.ISql;

export interface AuthConfig {
  /** `iss` of access tokens: `http://127.0.0.1:<port>/auth/v1`. */
  issuer: string;
  /** Base of links the server builds (admin pagination), `http://127.0.0.1:<port>/auth/v1`. */
  url: string;
  siteUrl: string;
  jwtExpirySeconds: number;
  refreshTokenReuseIntervalMs: number;
}

/** Shared by every route handler of one running server. */
export interface AuthContext {
  sql: postgres.Sql;
  keys: KeyMaterial;
  config: AuthConfig;
  log: (line: string) => void;
}

/** GoTrue filters every lookup on this instance id. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
export const AUDIENCE = 'authenticated';
export const DEFAULT_ROLE = 'authenticated';
export const ADMIN_ROLES = ['service_role', 'supabase_admin'];

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
