import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { closeDatabase, type Tx } from '@/lib/db';
import { newInviteToken } from '@/features/members/tokens';
import {
  adminSql,
  as,
  asAnon,
  closeAdminSql,
  createTestIntegration,
  createTestOrg,
  createTestUser,
  type TestOrg,
} from '../../../scripts/test/fixtures';

/**
 * Grants hold alone (design §8.4): as if Supabase's Data API were exposed, a signed-in user calling
 * SQL directly as `authenticated` with their own JWT can write only what the app writes as them,
 * and `anon` can do nothing. The allow-lists below are the whole of what members may write; a new
 * table or function that keeps Supabase's default grants fails the catalog guard.
 */

/** (table.column) pairs members insert as themselves; RLS then decides which rows. */
const USER_INSERT_COLUMNS = [
  'invitations.org_id',
  'invitations.email',
  'invitations.role',
  'invitations.token_hash',
  'invitations.invited_by',
  'invitations.expires_at',
];
/** (table.column) pairs members update as themselves. */
const USER_UPDATE_COLUMNS = ['organizations.name', 'memberships.role', 'bulk_operations.cancel_requested_at'];
/** Tables members delete rows of. */
const USER_DELETE_TABLES = ['memberships', 'invitations', 'integrations'];
/** Functions a signed-in user calls (the rest are triggers or the service role's). */
const USER_FUNCTIONS = [
  'private.has_org_role',
  'private.member_org_ids',
  'public.accept_invitation',
  'public.create_organization',
  'public.list_org_members',
];
/** Relations members read without RLS of their own: views that apply the membership rule themselves. */
const USER_VIEWS = ['private.member_devices'];

// telemetry_partitions: the telemetry tables' partitions, reachable only through their parents in public.
const SCHEMAS = ['public', 'private', 'telemetry_partitions'];

interface Column {
  table: string;
  column: string;
  generated: boolean;
}

let orgA: TestOrg;
let orgB: TestOrg;
let tables: string[];
let columns: Column[];

beforeAll(async () => {
  orgA = await createTestOrg('grants-a');
  orgB = await createTestOrg('grants-b');
  tables = (
    await adminSql()<{ name: string }[]>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`
  ).map((r) => r.name);
  columns = await adminSql()<Column[]>`
    select c.relname as table, a.attname as column, (a.attgenerated <> '' or a.attidentity = 'a') as generated
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    order by 1, 2`;
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('catalog guard (fails for any future table or function that keeps default grants)', () => {
  it('every table in public has RLS enabled, and no API role owns anything (an owner skips RLS)', async () => {
    expect(tables.length).toBeGreaterThan(10);
    const withoutRls = await adminSql()`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity`;
    expect(withoutRls).toEqual([]);
    const ownedByApi = await adminSql()`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any(${SCHEMAS}) and pg_get_userbyid(c.relowner) in ('anon', 'authenticated')
      union all
      select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = any(${SCHEMAS}) and pg_get_userbyid(p.proowner) in ('anon', 'authenticated')`;
    expect(ownedByApi).toEqual([]);
  });

  it('anon holds no privilege on any relation, sequence or function of public or private, nor CREATE on them', async () => {
    const relations = await adminSql()`
      select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any(${SCHEMAS}) and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and (has_table_privilege('anon', c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER,MAINTAIN')
             or has_any_column_privilege('anon', c.oid, 'SELECT,INSERT,UPDATE,REFERENCES'))`;
    expect(relations).toEqual([]);
    const sequences = await adminSql()`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any(${SCHEMAS}) and c.relkind = 'S'
        and (has_sequence_privilege('anon', c.oid, 'USAGE,SELECT,UPDATE') or has_sequence_privilege('authenticated', c.oid, 'USAGE,SELECT,UPDATE'))`;
    expect(sequences).toEqual([]);
    const functions = await adminSql()`
      select n.nspname || '.' || p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = any(${SCHEMAS}) and has_function_privilege('anon', p.oid, 'EXECUTE')`;
    expect(functions).toEqual([]);
    const [create] = await adminSql()<{ anon: boolean; authenticated: boolean }[]>`
      select bool_or(has_schema_privilege('anon', s, 'CREATE')) as anon, bool_or(has_schema_privilege('authenticated', s, 'CREATE')) as authenticated
      from unnest(${SCHEMAS}::text[]) s`;
    expect(create).toEqual({ anon: false, authenticated: false });
  });

  it('authenticated inserts, updates and deletes exactly the allow-listed columns and tables', async () => {
    const rows = await adminSql()<{ privilege: string; target: string }[]>`
      select p.privilege, c.relname || '.' || a.attname as target
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      cross join unnest(array['INSERT', 'UPDATE']) p(privilege)
      where n.nspname = any(${SCHEMAS}) and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and has_column_privilege('authenticated', c.oid, a.attnum, p.privilege)
      union all
      select 'DELETE', c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any(${SCHEMAS}) and c.relkind in ('r', 'p', 'v', 'm', 'f') and has_table_privilege('authenticated', c.oid, 'DELETE')`;
    const of = (privilege: string) => rows.filter((r) => r.privilege === privilege).map((r) => r.target).sort();
    expect(of('INSERT')).toEqual([...USER_INSERT_COLUMNS].sort());
    expect(of('UPDATE')).toEqual([...USER_UPDATE_COLUMNS].sort());
    expect(of('DELETE')).toEqual([...USER_DELETE_TABLES].sort());
  });

  it('authenticated holds no TRUNCATE, TRIGGER, REFERENCES or MAINTAIN (RLS does not govern them)', async () => {
    const rows = await adminSql()`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any(${SCHEMAS}) and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and (has_table_privilege('authenticated', c.oid, 'TRUNCATE,TRIGGER,REFERENCES,MAINTAIN')
             or has_any_column_privilege('authenticated', c.oid, 'REFERENCES'))`;
    expect(rows).toEqual([]);
  });

  it('whatever authenticated reads is a table with a member select policy, or an allow-listed view', async () => {
    const rows = await adminSql()<{ name: string; kind: string; policies: number }[]>`
      select n.nspname || '.' || c.relname as name, c.relkind::text as kind,
        (select count(*)::int from pg_policies p
         where p.schemaname = n.nspname and p.tablename = c.relname and p.cmd in ('SELECT', 'ALL')
           and 'authenticated' = any(p.roles)) as policies
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any(${SCHEMAS}) and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and has_any_column_privilege('authenticated', c.oid, 'SELECT')`;
    const views = rows.filter((r) => r.kind !== 'r' && r.kind !== 'p').map((r) => r.name);
    expect(views.sort()).toEqual([...USER_VIEWS].sort());
    expect(rows.filter((r) => (r.kind === 'r' || r.kind === 'p') && r.policies === 0)).toEqual([]);
  });

  it('authenticated executes only the allow-listed functions; every security definer function pins its search_path', async () => {
    const executable = await adminSql()<{ name: string }[]>`
      select distinct n.nspname || '.' || p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = any(${SCHEMAS}) and has_function_privilege('authenticated', p.oid, 'EXECUTE')`;
    expect(executable.map((r) => r.name).sort()).toEqual([...USER_FUNCTIONS].sort());
    const unpinned = await adminSql()`
      select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = any(${SCHEMAS}) and p.prosecdef
        and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%')`;
    expect(unpinned).toEqual([]);
  });

  it('a table, sequence or function a later migration creates in public is granted to neither API role', async () => {
    const probe = await adminSql().begin(async (tx) => {
      await tx`create table public.grants_probe (id bigint generated always as identity primary key, note text)`;
      await tx`create function public.grants_probe_fn() returns int language sql as 'select 1'`;
      const [row] = await tx<{ table: boolean; seq: boolean; fn: boolean }[]>`
        select
          has_table_privilege('anon', 'public.grants_probe', 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,TRIGGER,REFERENCES')
            or has_table_privilege('authenticated', 'public.grants_probe', 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,TRIGGER,REFERENCES') as table,
          has_sequence_privilege('anon', 'public.grants_probe_id_seq', 'USAGE,SELECT,UPDATE')
            or has_sequence_privilege('authenticated', 'public.grants_probe_id_seq', 'USAGE,SELECT,UPDATE') as seq,
          has_function_privilege('authenticated', 'public.grants_probe_fn()', 'EXECUTE') as fn`;
      // Throwing rolls the probe back.
      throw Object.assign(new Error('rollback'), { probe: row });
    }).catch((error: { probe?: unknown }) => error.probe);
    // Functions stay executable by PUBLIC (Postgres's own default): each migration revokes it, and
    // the function guard above catches one that forgets.
    expect(probe).toEqual({ table: false, seq: false, fn: true });
  });
});

type Persona = 'owner' | 'admin' | 'operator' | 'viewer' | 'other org' | 'anon';
const PERSONAS: Persona[] = ['owner', 'admin', 'operator', 'viewer', 'other org', 'anon'];

function run<T>(persona: Persona, fn: (db: Tx) => Promise<T>): Promise<T> {
  if (persona === 'anon') return asAnon(fn);
  const user: SessionUser = persona === 'other org' ? orgB.members.owner : orgA.members[persona];
  return as(user, fn);
}

describe('every write the grants refuse, for every persona (no rows needed: privileges are checked first)', () => {
  it.each(PERSONAS)('as %s: no insert into a service-only table, nor into a column members may not set', async (persona) => {
    const refused: string[] = [];
    for (const table of tables) {
      const allowed = USER_INSERT_COLUMNS.filter((c) => c.startsWith(`${table}.`));
      const targets = allowed.length === 0 ? [null] : columns.filter((c) => c.table === table && !c.generated && !allowed.includes(`${table}.${c.column}`));
      for (const target of targets) {
        const attempt = run(persona, (db) =>
          target
            ? db`insert into ${db('public.' + table)} (${db(target.column)}) select ${db(target.column)} from ${db('public.' + table)} where false`
            : db`insert into ${db('public.' + table)} default values`,
        );
        await expect(attempt, `${persona} insert ${table}${target ? '.' + target.column : ''}`).rejects.toMatchObject({ code: '42501' });
        refused.push(table);
      }
    }
    expect(new Set(refused)).toEqual(new Set(tables));
  });

  it.each(PERSONAS)('as %s: no update of any column outside the allow-list (ids, org_id, actors, timestamps, state)', async (persona) => {
    let checked = 0;
    for (const { table, column } of columns) {
      if (persona !== 'anon' && USER_UPDATE_COLUMNS.includes(`${table}.${column}`)) continue;
      // `= default` needs UPDATE on the column only (no SELECT), and is valid even for generated ones.
      const attempt = run(persona, (db) => db`update ${db('public.' + table)} set ${db(column)} = default where false`);
      await expect(attempt, `${persona} update ${table}.${column}`).rejects.toMatchObject({ code: '42501' });
      checked += 1;
    }
    expect(checked).toBeGreaterThan(200);
  });

  it.each(PERSONAS)('as %s: no delete outside the allow-list, and no truncate anywhere', async (persona) => {
    for (const table of tables) {
      if (persona === 'anon' || !USER_DELETE_TABLES.includes(table)) {
        await expect(run(persona, (db) => db`delete from ${db('public.' + table)} where false`), `${persona} delete ${table}`).rejects.toMatchObject({ code: '42501' });
      }
      await expect(run(persona, (db) => db`truncate ${db('public.' + table)}`), `${persona} truncate ${table}`).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('anon reads no table, and calls no function, not even the invitation preview', async () => {
    for (const table of tables) {
      await expect(asAnon((db) => db`select 1 from ${db('public.' + table)} limit 1`), table).rejects.toMatchObject({ code: '42501' });
    }
    await expect(asAnon((db) => db`select * from public.describe_invitation('x')`)).rejects.toMatchObject({ code: '42501' });
    await expect(asAnon((db) => db`select * from private.member_devices`)).rejects.toMatchObject({ code: '42501' });
  });
});

/** What each persona gets from an allowed write: rows changed, none (RLS hid or refused them), or an error code. */
type Outcome = 'changed' | 'none' | 'denied';

async function outcome(write: Promise<{ length: number }>): Promise<Outcome> {
  try {
    return (await write).length > 0 ? 'changed' : 'none';
  } catch (error) {
    if ((error as { code?: string }).code === '42501') return 'denied';
    throw error;
  }
}

/** One allowed write, tried by each persona against a fresh row of org A. */
interface AllowedWrite {
  name: string;
  arrange: () => Promise<string>;
  write: (db: Tx, target: string) => Promise<{ length: number }>;
  expected: Record<Persona, Outcome>;
}

const onlyAdmins: Record<Persona, Outcome> = { owner: 'changed', admin: 'changed', operator: 'none', viewer: 'none', 'other org': 'none', anon: 'denied' };

const ALLOWED: AllowedWrite[] = [
  {
    name: 'organizations.name (admins rename)',
    arrange: async () => orgA.id,
    write: (db, id) => db`update public.organizations set name = 'Renamed' where id = ${id} returning id`,
    expected: onlyAdmins,
  },
  {
    name: 'memberships.role (admins change roles below owner)',
    arrange: async () => {
      const user = await createTestUser('grants-member');
      await adminSql()`insert into public.memberships (org_id, user_id, role) values (${orgA.id}, ${user.id}, 'viewer')`;
      return user.id;
    },
    write: (db, userId) => db`update public.memberships set role = 'operator' where org_id = ${orgA.id} and user_id = ${userId} returning user_id`,
    expected: onlyAdmins,
  },
  {
    name: 'memberships delete (admins remove members)',
    arrange: async () => {
      const user = await createTestUser('grants-removed');
      await adminSql()`insert into public.memberships (org_id, user_id, role) values (${orgA.id}, ${user.id}, 'operator')`;
      return user.id;
    },
    write: (db, userId) => db`delete from public.memberships where org_id = ${orgA.id} and user_id = ${userId} returning user_id`,
    expected: onlyAdmins,
  },
  {
    name: 'invitations insert (admins invite, as themselves, for at most seven days)',
    arrange: async () => orgA.id,
    write: (db, orgId) => db`
      insert into public.invitations (org_id, email, role, token_hash, invited_by, expires_at)
      values (${orgId}, ${`invitee-${newInviteToken().hash.slice(0, 8)}@example.test`}, 'viewer', ${newInviteToken().hash},
              (select auth.uid()), now() + interval '7 days')
      returning id`,
    expected: { owner: 'changed', admin: 'changed', operator: 'denied', viewer: 'denied', 'other org': 'denied', anon: 'denied' },
  },
  {
    name: 'invitations delete (admins revoke)',
    arrange: async () => {
      const [row] = await adminSql()<{ id: string }[]>`
        insert into public.invitations (org_id, email, role, token_hash, invited_by, expires_at)
        values (${orgA.id}, ${`revoked-${newInviteToken().hash.slice(0, 8)}@example.test`}, 'viewer', ${newInviteToken().hash}, ${orgA.members.owner.id}, now() + interval '1 day')
        returning id`;
      return row!.id;
    },
    write: (db, id) => db`delete from public.invitations where id = ${id} returning id`,
    expected: onlyAdmins,
  },
  {
    name: 'integrations delete (admins remove an integration)',
    arrange: async () => (await createTestIntegration(orgA)).id,
    write: (db, id) => db`delete from public.integrations where id = ${id} returning id`,
    expected: onlyAdmins,
  },
  {
    name: 'bulk_operations.cancel_requested_at (operators ask for a cancellation)',
    arrange: async () => {
      const [row] = await adminSql()<{ id: string }[]>`
        insert into public.bulk_operations (org_id, requested_by, kind, key, value, total)
        values (${orgA.id}, ${orgA.members.operator.id}, 'set_attribute', 'room', '"b"', 1) returning id`;
      return row!.id;
    },
    write: (db, id) => db`update public.bulk_operations set cancel_requested_at = now() where id = ${id} returning id`,
    expected: { owner: 'changed', admin: 'changed', operator: 'changed', viewer: 'none', 'other org': 'none', anon: 'denied' },
  },
];

describe('every write the grants allow, for every persona (RLS decides the rows)', () => {
  it.each(ALLOWED.map((w) => [w.name, w] as const))('%s', async (_name, write) => {
    const seen = {} as Record<Persona, Outcome>;
    for (const persona of PERSONAS) {
      const target = await write.arrange();
      seen[persona] = await outcome(run(persona, (db) => write.write(db, target)));
    }
    expect(seen).toEqual(write.expected);
  });

  it('admins cannot stretch an invitation past seven days or mark it accepted', async () => {
    const invite = (fn: (db: Tx) => Promise<unknown>) => as(orgA.members.admin, fn);
    await expect(
      invite((db) => db`
        insert into public.invitations (org_id, email, role, token_hash, invited_by, expires_at)
        values (${orgA.id}, 'forever@example.test', 'viewer', ${newInviteToken().hash}, ${orgA.members.admin.id}, now() + interval '1 year')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      invite((db) => db`
        insert into public.invitations (org_id, email, role, token_hash, invited_by, expires_at, accepted_at)
        values (${orgA.id}, 'accepted@example.test', 'viewer', ${newInviteToken().hash}, ${orgA.members.admin.id}, now() + interval '1 day', now())`),
    ).rejects.toMatchObject({ code: '42501' });
  });
});
