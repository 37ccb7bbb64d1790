import { randomUUID } from 'node:crypto';
import pino from 'pino';
import postgres from 'postgres';
import { orgScope, type OrgContext, type OrgScope, type SessionUser } from '@/lib/context';
import { asUser, type JwtClaims, type Tx } from '@/lib/db';
import type { OrgRole } from '@/lib/roles';
import { credentialsHint, encryptCredentials, parseKeyring, type AwsCredentials, type Keyring } from '@/lib/vault';

/**
 * Helpers for integration tests: every suite creates its own users and organizations with
 * unique names, so suites never depend on each other's rows.
 */
export const silentLog = pino({ level: 'silent' });

let admin: postgres.Sql | undefined;
/** A superuser connection for arranging fixtures and reading back raw state. */
export function adminSql(): postgres.Sql {
  admin ??= postgres(process.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
  return admin;
}

export async function closeAdminSql() {
  await admin?.end();
  admin = undefined;
}

export function uniqueSuffix(): string {
  return randomUUID().slice(0, 8);
}

/** Inserts a confirmed user the way GoTrue stores one and returns claims like its access token. */
export async function createTestUser(label: string): Promise<SessionUser> {
  const id = randomUUID();
  const email = `${label}-${uniqueSuffix()}@example.test`;
  await adminSql()`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                            raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${email}, '',
            now(), '{"provider":"email","providers":["email"]}', '{}', now(), now())`;
  const claims: JwtClaims = { sub: id, role: 'authenticated', email, aud: 'authenticated', session_id: randomUUID() };
  return { id, email, claims };
}

/** Runs `fn` as the user, under RLS, exactly as a request would. */
export function as<T>(user: SessionUser, fn: (db: Tx) => Promise<T>): Promise<T> {
  return asUser(user.claims, fn);
}

/** Runs `fn` as the anonymous API role (no session). */
export async function asAnon<T>(fn: (db: Tx) => Promise<T>): Promise<T> {
  return (await adminSql().begin(async (tx) => {
    await tx`select set_config('role', 'anon', true), set_config('request.jwt.claims', '{"role":"anon"}', true)`;
    return fn(tx);
  })) as T;
}

export interface TestOrg {
  id: string;
  slug: string;
  name: string;
  members: Record<OrgRole, SessionUser>;
}

/** An organization with one user per role; the owner created it through create_organization. */
export async function createTestOrg(label: string): Promise<TestOrg> {
  const owner = await createTestUser(`${label}-owner`);
  const slug = `${label}-${uniqueSuffix()}`;
  const name = `${label} org`;
  const [row] = await as(owner, (db) => db<{ id: string }[]>`select public.create_organization(${slug}, ${name}) as id`);
  const members = { owner } as Record<OrgRole, SessionUser>;
  for (const role of ['admin', 'operator', 'viewer'] as const) {
    const user = await createTestUser(`${label}-${role}`);
    await adminSql()`insert into public.memberships (org_id, user_id, role) values (${row!.id}, ${user.id}, ${role})`;
    members[role] = user;
  }
  return { id: row!.id, slug, name, members };
}

/** The context services receive inside an org action, for calling services directly. */
export function orgContext(db: Tx, org: TestOrg, role: OrgRole): OrgContext {
  return { db, user: org.members[role], org: { id: org.id, slug: org.slug, name: org.name }, role, log: silentLog };
}

/** The scope services that call AWS receive from orgOutboundAction (no transaction held open). */
export function orgScopeFor(org: TestOrg, role: OrgRole, user: SessionUser = org.members[role]): OrgScope {
  return orgScope({ user, org: { id: org.id, slug: org.slug, name: org.name }, role, log: silentLog });
}

export const TEST_AWS_CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIAFLEETLINETEST001',
  secretAccessKey: 'fleetline/test/secret/0000000000000000000',
};

/** The keyring the global setup put in the environment. */
export function testKeyring(): Keyring {
  return parseKeyring(process.env.FLEETLINE_VAULT_KEYS);
}

export interface TestIntegration {
  id: string;
  orgId: string;
  name: string;
  /** The vault token stored in the row (null for assume_role). */
  token: string | null;
}

/** Inserts an integration as the platform would (RLS bypassed), encrypting its credentials for its row. */
export async function createTestIntegration(
  org: { id: string },
  options: { name?: string; authType?: 'access_keys' | 'assume_role'; credentials?: AwsCredentials; keyring?: Keyring } = {},
): Promise<TestIntegration> {
  const id = randomUUID();
  const name = options.name ?? `integration-${uniqueSuffix()}`;
  if (options.authType === 'assume_role') {
    await adminSql()`
      insert into public.integrations (id, org_id, name, region, auth_type, role_arn, external_id)
      values (${id}, ${org.id}, ${name}, 'eu-west-1', 'assume_role', 'arn:aws:iam::123456789012:role/FleetlineAccess', ${`fl-${randomUUID()}`})`;
    return { id, orgId: org.id, name, token: null };
  }
  const credentials = options.credentials ?? TEST_AWS_CREDENTIALS;
  const token = encryptCredentials(options.keyring ?? testKeyring(), { orgId: org.id, integrationId: id }, credentials);
  await adminSql()`
    insert into public.integrations (id, org_id, name, region, auth_type, credentials, credentials_hint)
    values (${id}, ${org.id}, ${name}, 'us-east-1', 'access_keys', ${token}, ${credentialsHint(credentials.accessKeyId)})`;
  return { id, orgId: org.id, name, token };
}
