// Credentials the simulator accepts: configured access keys, roles they may assume, and the temporary
// sessions AssumeRole hands out. Expiry uses real time because the SDK caches credentials in real time.

import { randomBytes } from 'node:crypto';
import type { KeyConfig, RoleConfig } from './config';
import type { Principal } from './http';

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAtReal: number;
  principal: Principal;
}

export type ResolvedKey =
  | { kind: 'key'; secretAccessKey: string; principal: Principal }
  | { kind: 'session'; session: Session }
  | { kind: 'unknown' };

const MAX_SESSIONS = 10_000;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomUpper(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

const patternCache = new Map<string, RegExp>();

/** `iot:*`, `iot:List*`, `*` style matching, case-insensitive like IAM. */
export function actionAllowed(patterns: string[], action: string): boolean {
  return patterns.some((p) => {
    let re = patternCache.get(p);
    if (!re) {
      re = new RegExp('^' + p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$', 'i');
      patternCache.set(p, re);
    }
    return re.test(action);
  });
}

/** Allowed by an action pattern and not by an explicit deny (IAM: an explicit Deny always wins). */
export function permits(principal: Pick<Principal, 'actions' | 'deny'>, action: string): boolean {
  return actionAllowed(principal.actions, action) && !(principal.deny && actionAllowed(principal.deny, action));
}

export function roleAccountId(roleArn: string): string | null {
  return /^arn:aws:iam::(\d{12}):role\/[\w+=,.@/-]+$/.exec(roleArn)?.[1] ?? null;
}

export class IamStore {
  private readonly keys = new Map<string, KeyConfig>();
  private readonly roles = new Map<string, RoleConfig>();
  private readonly sessions = new Map<string, Session>();

  constructor(keys: KeyConfig[], roles: RoleConfig[]) {
    for (const k of keys) this.putKey(k);
    for (const r of roles) this.putRole(r);
  }

  putKey(key: KeyConfig): void {
    if (!/^AKIA[A-Z0-9]{16}$/.test(key.accessKeyId)) throw new Error('access key ids look like AKIA + 16 upper-case letters/digits');
    if (key.secretAccessKey.length !== 40) throw new Error('secret access keys are 40 characters long');
    if (!/^\d{12}$/.test(key.accountId)) throw new Error('account ids are 12 digits');
    this.keys.set(key.accessKeyId, { ...key, actions: [...key.actions], ...(key.deny ? { deny: [...key.deny] } : {}) });
  }

  deleteKey(accessKeyId: string): boolean {
    return this.keys.delete(accessKeyId);
  }

  putRole(role: RoleConfig): void {
    if (!roleAccountId(role.roleArn)) throw new Error(`not a role ARN: ${role.roleArn}`);
    this.roles.set(role.roleArn, { ...role, actions: [...role.actions], ...(role.deny ? { deny: [...role.deny] } : {}) });
  }

  role(roleArn: string): RoleConfig | undefined {
    return this.roles.get(roleArn);
  }

  listKeys(): Omit<KeyConfig, 'secretAccessKey'>[] {
    return [...this.keys.values()].map(({ secretAccessKey: _secret, ...rest }) => rest);
  }

  listRoles(): RoleConfig[] {
    return [...this.roles.values()];
  }

  resolve(accessKeyId: string): ResolvedKey {
    const key = this.keys.get(accessKeyId);
    if (key) {
      return {
        kind: 'key',
        secretAccessKey: key.secretAccessKey,
        principal: {
          accessKeyId,
          accountId: key.accountId,
          arn: `arn:aws:iam::${key.accountId}:user/${key.userName}`,
          userId: 'AIDA' + accessKeyId.slice(4),
          actions: key.actions,
          ...(key.deny ? { deny: key.deny } : {}),
        },
      };
    }
    const session = this.sessions.get(accessKeyId);
    return session ? { kind: 'session', session } : { kind: 'unknown' };
  }

  createSession(role: RoleConfig, sessionName: string, durationSeconds: number): Session {
    const accountId = roleAccountId(role.roleArn)!;
    const roleName = role.roleArn.split('/').pop()!;
    const accessKeyId = 'ASIA' + randomUpper(16);
    const session: Session = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: 'FwoGZXIvYXdzE' + randomBytes(180).toString('base64'),
      expiresAtReal: Date.now() + durationSeconds * 1000,
      principal: {
        accessKeyId,
        accountId,
        arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
        userId: `AROA${randomUpper(17)}:${sessionName}`,
        actions: role.actions,
        ...(role.deny ? { deny: role.deny } : {}),
      },
    };
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(accessKeyId, session);
    return session;
  }

  clearSessions(): void {
    this.sessions.clear();
  }
}
