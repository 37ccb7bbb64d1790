import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { closeDatabase, type Tx } from '@/lib/db';
import { ORG_ROLES } from '@/lib/roles';
import { credentialsHint, decryptCredentials, encryptCredentials, VaultError } from '@/lib/vault';
import {
  adminSql,
  as,
  asAnon,
  closeAdminSql,
  createTestIntegration,
  createTestOrg,
  TEST_AWS_CREDENTIALS,
  testKeyring,
  type TestIntegration,
  type TestOrg,
} from '../../../scripts/test/fixtures';

/**
 * Row Level Security and column privileges of `integrations`, per persona: owner, admin, operator
 * and viewer of org A, the owner of org B, and an anonymous caller. The vault token is readable by
 * none of them; org B sees and changes nothing of org A. Admins delete; only the server saves and edits.
 */
let orgA: TestOrg;
let orgB: TestOrg;
let stranger: SessionUser;
let keysA: TestIntegration;
let roleA: TestIntegration;
let keysB: TestIntegration;

beforeAll(async () => {
  orgA = await createTestOrg('int-a');
  orgB = await createTestOrg('int-b');
  stranger = orgB.members.owner;
  keysA = await createTestIntegration(orgA, { name: 'A keys' });
  roleA = await createTestIntegration(orgA, { name: 'A role', authType: 'assume_role' });
  keysB = await createTestIntegration(orgB, { name: 'B keys' });
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('reading', () => {
  it.each(ORG_ROLES)('a %s of A sees the integrations of A, without the token, and none of B', async (role) => {
    const rows = await as(orgA.members[role], (db) => db<{ id: string; org_id: string; credentials_hint: string | null }[]>`
      select id, org_id, name, auth_type, credentials_hint, role_arn, external_id, status, capabilities, created_by
      from public.integrations order by name`);
    expect(rows.map((r) => r.id)).toEqual([keysA.id, roleA.id]);
    expect(rows[0]!.credentials_hint).toBe('AKIA…T001');
    expect(rows.some((r) => r.org_id === orgB.id)).toBe(false);
  });

  it('a member of B sees the integrations of B and nothing of A', async () => {
    const rows = await as(stranger, (db) => db<{ id: string }[]>`select id from public.integrations`);
    expect(rows.map((r) => r.id)).toEqual([keysB.id]);
    const byId = await as(stranger, (db) => db`select id from public.integrations where id = ${keysA.id}`);
    expect(byId).toHaveLength(0);
  });

  it('an anonymous caller has no access to the table at all', async () => {
    await expect(asAnon((db) => db`select id from public.integrations`)).rejects.toMatchObject({ code: '42501' });
    await expect(
      asAnon((db) => db`insert into public.integrations (org_id, name, region, auth_type, role_arn, external_id)
        values (${orgA.id}, 'anon', 'us-east-1', 'assume_role', 'arn:aws:iam::123456789012:role/X', 'ext-anon')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(asAnon((db) => db`delete from public.integrations`)).rejects.toMatchObject({ code: '42501' });
  });
});

describe('the credentials column', () => {
  it.each(ORG_ROLES)('cannot be read by a %s of A, directly, with *, or through a filter', async (role) => {
    const user = orgA.members[role];
    await expect(as(user, (db) => db`select credentials from public.integrations where id = ${keysA.id}`)).rejects.toMatchObject({ code: '42501' });
    await expect(as(user, (db) => db`select * from public.integrations`)).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(user, (db) => db`select id from public.integrations where credentials like 'v1.%'`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(as(user, (db) => db`select to_jsonb(i) from public.integrations i`)).rejects.toMatchObject({ code: '42501' });
  });

  it('cannot be returned from a write, even by an owner, and the failed write changes nothing', async () => {
    await expect(
      as(orgA.members.owner, (db) => db`update public.integrations set name = 'A keys leaked' where id = ${keysA.id} returning credentials`),
    ).rejects.toMatchObject({ code: '42501' });
    const [row] = await adminSql()`select name, credentials from public.integrations where id = ${keysA.id}`;
    expect(row).toEqual({ name: 'A keys', credentials: keysA.token });
  });

  it('is the only column authenticated users cannot select; anon has no column at all', async () => {
    const columns = await adminSql()<{ column_name: string }[]>`
      select column_name from information_schema.columns where table_schema = 'public' and table_name = 'integrations'`;
    const privileges = await adminSql()<{ grantee: string; column_name: string }[]>`
      select grantee, column_name from information_schema.column_privileges
      where table_schema = 'public' and table_name = 'integrations' and privilege_type = 'SELECT'
        and grantee in ('authenticated', 'anon')`;
    const selectable = privileges.filter((p) => p.grantee === 'authenticated').map((p) => p.column_name).sort();
    expect(selectable).toEqual(columns.map((c) => c.column_name).filter((c) => c !== 'credentials').sort());
    expect(privileges.filter((p) => p.grantee === 'anon')).toEqual([]);
  });
});

describe('writing', () => {
  /** What an admin's server action inserts: the id comes first because it is part of the AAD. */
  function insertAccessKeys(db: Tx, orgId: string, name: string) {
    const id = randomUUID();
    const token = encryptCredentials(testKeyring(), { orgId, integrationId: id }, TEST_AWS_CREDENTIALS);
    return db<{ id: string; created_by: string }[]>`
      insert into public.integrations (id, org_id, name, region, auth_type, credentials, credentials_hint)
      values (${id}, ${orgId}, ${name}, 'us-east-1', 'access_keys', ${token}, ${credentialsHint(TEST_AWS_CREDENTIALS.accessKeyId)})
      returning id, created_by`;
  }

  it('operators, viewers and members of B cannot create integrations in A', async () => {
    for (const user of [orgA.members.operator, orgA.members.viewer, stranger]) {
      await expect(as(user, (db) => insertAccessKeys(db, orgA.id, `denied-${user.id.slice(0, 8)}`))).rejects.toMatchObject({ code: '42501' });
    }
    const [count] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.integrations where org_id = ${orgA.id}`;
    expect(count!.n).toBe(2);
  });

  // Saving and editing an integration is the server's (lib/service-role), after its preflight: the
  // External ID, role ARN, endpoints and token must be ones Fleetline generated, checked or encrypted.
  it('admins and owners cannot insert an integration directly either, nor pick its External ID', async () => {
    for (const user of [orgA.members.admin, orgA.members.owner]) {
      await expect(as(user, (db) => insertAccessKeys(db, orgA.id, `direct-${user.id.slice(0, 8)}`))).rejects.toMatchObject({ code: '42501' });
      await expect(
        as(user, (db) => db`
          insert into public.integrations (org_id, name, region, auth_type, role_arn, external_id)
          values (${orgA.id}, 'chosen-external-id', 'us-east-1', 'assume_role', 'arn:aws:iam::123456789012:role/X', 'another-tenants-external-id')`),
      ).rejects.toMatchObject({ code: '42501' });
    }
    const [count] = await adminSql()<{ n: number }[]>`select count(*)::int as n from public.integrations where org_id = ${orgA.id}`;
    expect(count!.n).toBe(2);
  });

  const EDITS = {
    name: 'renamed',
    sync_interval_seconds: 600,
    sync_budget: 1,
    status: 'active',
    paused_reason: 'x',
    capabilities: '{}',
    last_error: 'x',
    last_sync_at: '2030-01-01T00:00:00Z',
    last_tested_at: '2030-01-01T00:00:00Z',
    custom_endpoint: 'http://169.254.169.254',
    iot_data_endpoint: '127.0.0.1',
    external_id: 'another-tenants-external-id',
    role_arn: 'arn:aws:iam::123456789012:role/Victim',
    credentials_hint: 'AKIA…0000',
    timestream_database: 'other_db',
    region: 'us-west-2',
  } as const;

  it.each(Object.keys(EDITS))('no member (not even the owner) updates %s directly', async (column) => {
    for (const user of [...ORG_ROLES.map((r) => orgA.members[r]), stranger]) {
      await expect(
        as(user, (db) => db`update public.integrations set ${db(column)} = ${EDITS[column as keyof typeof EDITS]} where id = ${keysA.id}`),
      ).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('no member rotates the stored token directly, and the row is as it was', async () => {
    const token = encryptCredentials(testKeyring(), { orgId: orgA.id, integrationId: keysA.id }, { accessKeyId: 'AKIAFLEETLINETEST002', secretAccessKey: 'x'.repeat(40) });
    await expect(as(orgA.members.owner, (db) => db`update public.integrations set credentials = ${token} where id = ${keysA.id}`)).rejects.toMatchObject({ code: '42501' });
    const [row] = await adminSql()<{ credentials: string; name: string; status: string; sync_interval_seconds: number }[]>`
      select credentials, name, status, sync_interval_seconds from public.integrations where id = ${keysA.id}`;
    expect(row).toEqual({ credentials: keysA.token, name: keysA.name, status: 'pending', sync_interval_seconds: 300 });
  });

  it('nobody moves an integration to another organization or rewrites its creator', async () => {
    await expect(
      as(orgA.members.owner, (db) => db`update public.integrations set org_id = ${orgB.id} where id = ${keysA.id}`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      as(orgA.members.owner, (db) => db`update public.integrations set created_by = ${orgA.members.owner.id} where id = ${keysA.id}`),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('a member of B cannot delete in A; operators and viewers cannot delete; an admin can', async () => {
    const doomed = await createTestIntegration(orgA, { name: 'doomed' });
    for (const user of [stranger, orgA.members.operator, orgA.members.viewer]) {
      const rows = await as(user, (db) => db`delete from public.integrations where id = ${doomed.id} returning id`);
      expect(rows).toHaveLength(0);
    }
    const byAdmin = await as(orgA.members.admin, (db) => db`delete from public.integrations where id = ${doomed.id} returning id`);
    expect(byAdmin).toEqual([{ id: doomed.id }]);
  });

  it('B keeps its integration through all of the above', async () => {
    const [row] = await adminSql()`select name, status, credentials from public.integrations where id = ${keysB.id}`;
    expect(row).toEqual({ name: 'B keys', status: 'pending', credentials: keysB.token });
  });
});

describe('the vault binding', () => {
  it('a token copied from a row of A into a row of B cannot be decrypted there', async () => {
    await adminSql()`update public.integrations set credentials = ${keysA.token} where id = ${keysB.id}`;
    try {
      const [row] = await adminSql()<{ org_id: string; credentials: string }[]>`
        select org_id, credentials from public.integrations where id = ${keysB.id}`;
      let error: unknown;
      try {
        decryptCredentials(testKeyring(), { orgId: row!.org_id, integrationId: keysB.id }, row!.credentials);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(VaultError);
      expect(error).toMatchObject({ code: 'DECRYPT_FAILED' });
      // Same org, other row: refused as well.
      expect(() => decryptCredentials(testKeyring(), { orgId: orgA.id, integrationId: roleA.id }, keysA.token!)).toThrow(/could not decrypt/);
    } finally {
      await adminSql()`update public.integrations set credentials = ${keysB.token} where id = ${keysB.id}`;
    }
  });
});

describe('constraints', () => {
  const insert = (values: { name: string; auth_type: string; credentials?: string | null; credentials_hint?: string | null; role_arn?: string | null; external_id?: string | null; sync_interval_seconds?: number; sync_budget?: number; region?: string }) =>
    adminSql()`
      insert into public.integrations (org_id, name, region, auth_type, credentials, credentials_hint, role_arn, external_id, sync_interval_seconds, sync_budget)
      values (${orgA.id}, ${values.name}, ${values.region ?? 'us-east-1'}, ${values.auth_type}, ${values.credentials ?? null}, ${values.credentials_hint ?? null},
              ${values.role_arn ?? null}, ${values.external_id ?? null}, ${values.sync_interval_seconds ?? 300}, ${values.sync_budget ?? 0.5})`;
  const role = { role_arn: 'arn:aws:iam::123456789012:role/FleetlineAccess', external_id: 'fl-external-id' };

  it('access keys need a token and a hint and no role; a role needs an ARN and External ID and no token', async () => {
    await expect(insert({ name: 'c1', auth_type: 'access_keys' })).rejects.toMatchObject({ code: '23514', constraint_name: 'integrations_auth_consistent' });
    await expect(insert({ name: 'c2', auth_type: 'access_keys', credentials: keysA.token, credentials_hint: 'AKIA…T001', ...role })).rejects.toMatchObject({ code: '23514' });
    await expect(insert({ name: 'c3', auth_type: 'assume_role', role_arn: role.role_arn })).rejects.toMatchObject({ code: '23514' });
    await expect(insert({ name: 'c4', auth_type: 'assume_role', ...role, credentials: keysA.token })).rejects.toMatchObject({ code: '23514' });
  });

  it('the token must have the vault format', async () => {
    await expect(
      insert({ name: 'c5', auth_type: 'access_keys', credentials: 'AKIAFLEETLINETEST001:plaintext-secret', credentials_hint: 'AKIA…T001' }),
    ).rejects.toMatchObject({ code: '23514', constraint_name: 'integrations_credentials_format' });
  });

  it('names are unique per organization regardless of case, but may repeat across organizations', async () => {
    await expect(insert({ name: 'a KEYS', auth_type: 'assume_role', ...role })).rejects.toMatchObject({ code: '23505' });
    const other = await createTestIntegration(orgB, { name: 'A keys', authType: 'assume_role' });
    expect(other.orgId).toBe(orgB.id);
  });

  it('bounds the sync interval, the sync budget, the region and the role ARN', async () => {
    await expect(insert({ name: 'c6', auth_type: 'assume_role', ...role, sync_interval_seconds: 59 })).rejects.toMatchObject({ code: '23514' });
    await expect(insert({ name: 'c7', auth_type: 'assume_role', ...role, sync_interval_seconds: 86401 })).rejects.toMatchObject({ code: '23514' });
    await expect(insert({ name: 'c8', auth_type: 'assume_role', ...role, sync_budget: 0.01 })).rejects.toMatchObject({ code: '23514' });
    await expect(insert({ name: 'c9', auth_type: 'assume_role', ...role, region: 'mars-1' })).rejects.toMatchObject({ code: '23514' });
    await expect(insert({ name: 'c10', auth_type: 'assume_role', ...role, role_arn: 'arn:aws:iam::123:user/x' })).rejects.toMatchObject({ code: '23514' });
    await expect(insert({ name: 'c11', auth_type: 'assume_role', ...role, sync_interval_seconds: 86400, sync_budget: 1, region: 'us-gov-west-1' })).resolves.toBeDefined();
  });

  it('deleting an organization deletes its integrations', async () => {
    const org = await createTestOrg('int-cascade');
    const integration = await createTestIntegration(org);
    await adminSql()`delete from public.organizations where id = ${org.id}`;
    expect(await adminSql()`select 1 from public.integrations where id = ${integration.id}`).toHaveLength(0);
  });
});
