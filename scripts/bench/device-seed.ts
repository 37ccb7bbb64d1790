import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';

/**
 * A large, realistic fleet for benchmarks, inserted in SQL (generate_series) by a superuser:
 * skewed statuses, thing types, ~40 site groups, 8 firmware versions, attributes, batteries
 * (none on gateways), a few never-seen devices and some removed ones.
 */

export interface SeededOrg {
  orgId: string;
  slug: string;
  userId: string;
  integrationIds: string[];
}

async function createUser(sql: postgres.Sql, label: string): Promise<string> {
  const id = randomUUID();
  await sql`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                            raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${`${label}-${id.slice(0, 8)}@bench.test`}, '',
            now(), '{"provider":"email","providers":["email"]}', '{}', now(), now())`;
  return id;
}

/** An organization with a viewer member (the least privileged reader) and `integrations` role-based integrations. */
export async function createBenchOrg(sql: postgres.Sql, label: string, integrations: number): Promise<SeededOrg> {
  const userId = await createUser(sql, label);
  const slug = `${label}-${randomUUID().slice(0, 6)}`;
  const [org] = await sql<{ id: string }[]>`insert into public.organizations (slug, name) values (${slug}, ${`${label} fleet`}) returning id`;
  await sql`insert into public.memberships (org_id, user_id, role) values (${org!.id}, ${userId}, 'viewer')`;
  const integrationIds: string[] = [];
  for (let i = 0; i < integrations; i++) {
    const [row] = await sql<{ id: string }[]>`
      insert into public.integrations (org_id, name, region, auth_type, role_arn, external_id, status)
      values (${org!.id}, ${`${label} account ${i + 1}`}, 'eu-west-1', 'assume_role',
              ${`arn:aws:iam::12345678901${i}:role/FleetlineAccess`}, ${`fl-${randomUUID()}`}, 'active')
      returning id`;
    integrationIds.push(row!.id);
  }
  return { orgId: org!.id, slug, userId, integrationIds };
}

export const BENCH_SITES = [
  'berlin', 'paris', 'austin', 'toronto', 'singapore', 'sydney', 'lyon', 'madrid', 'oslo', 'lagos',
  'lima', 'quito', 'delhi', 'pune', 'osaka', 'kyoto', 'seoul', 'busan', 'perth', 'cairns',
  'tunis', 'rabat', 'accra', 'nairobi', 'dubai', 'doha', 'riga', 'tartu', 'porto', 'faro',
  'leeds', 'cork', 'bergen', 'turku', 'gdansk', 'brno', 'graz', 'basel', 'genoa', 'bari',
];
const REGIONS = ['eu', 'na', 'apac', 'emea'];

/** The group catalog the sync would have read: all-sites > region-<r> > site-<s>, plus `pilot`. */
export async function seedCatalog(sql: postgres.Sql, org: SeededOrg): Promise<void> {
  for (const integrationId of org.integrationIds) {
    const groups = [
      { name: 'all-sites', parent: null },
      { name: 'pilot', parent: null },
      ...REGIONS.map((r) => ({ name: `region-${r}`, parent: 'all-sites' })),
      ...BENCH_SITES.map((s, i) => ({ name: `site-${s}`, parent: `region-${REGIONS[i % REGIONS.length]}` })),
    ];
    for (const g of groups) {
      await sql`insert into public.thing_groups (org_id, integration_id, name, parent_name) values (${org.orgId}, ${integrationId}, ${g.name}, ${g.parent})`;
    }
    for (const t of ['env-sensor', 'tracker', 'gateway']) {
      await sql`insert into public.thing_types (org_id, integration_id, name) values (${org.orgId}, ${integrationId}, ${t})`;
    }
  }
}

/**
 * Inserts `count` devices spread over the org's integrations (the first gets 70 %). Deterministic
 * per (integration, n) so runs are comparable; `seed` varies names between orgs.
 */
export async function seedDevices(sql: postgres.Sql, org: SeededOrg, count: number, seed: number): Promise<void> {
  const shares = org.integrationIds.length === 1 ? [count] : [Math.round(count * 0.7), count - Math.round(count * 0.7)];
  for (const [i, integrationId] of org.integrationIds.entries()) {
    const n = shares[i] ?? 0;
    if (n === 0) continue;
    await sql`
      insert into public.devices (org_id, integration_id, thing_name, display_name, thing_type, attributes, groups,
                                  connected, status, last_seen_at, firmware_version, battery, rssi, temperature,
                                  sync_hash, removed_at)
      select ${org.orgId}, ${integrationId}, g.thing_name,
             case when g.h1 % 10 < 3 then initcap(g.kind) || ' ' || g.site || ' ' || (g.n % 997) end,
             case when g.h2 % 50 = 0 then null else g.kind end,
             jsonb_build_object('site', g.site, 'model', g.model, 'serial', 'SN' || upper(lpad(to_hex(g.h3), 8, '0')),
                                'hwRev', chr(65 + g.h1 % 3)),
             case when g.h2 % 4 = 0 then array['site-' || g.site, 'pilot'] else array['site-' || g.site] end,
             g.status <> 'offline', g.status::public.device_status,
             case when g.status = 'unknown' and g.h2 % 2 = 0 then null
                  else now() - make_interval(secs => (g.h3 % 604800)) end,
             case when g.h2 % 40 = 0 then null else (array['1.4.2','1.5.0','1.5.1','2.0.0','2.0.1','2.1.0','2.1.1','3.0.0-rc1'])[1 + g.fw] end,
             case when g.kind = 'gateway' then null else (g.h1 % 1000) / 10.0 end,
             -40 - (g.h2 % 60), 15 + (g.h3 % 200) / 10.0,
             'bench', case when g.h1 % 200 = 0 then now() - interval '3 days' end
      from (
        select n,
               ${`thing-${seed}${i}-`} || lpad(n::text, 7, '0') as thing_name,
               abs(hashint4(n * 31 + ${seed * 7 + i})) as h1,
               abs(hashint4(n * 17 + ${seed * 13 + i})) as h2,
               abs(hashint4(n * 13 + ${seed * 11 + i})) as h3,
               (${BENCH_SITES}::text[])[1 + abs(hashint4(n * 7 + ${seed})) % ${BENCH_SITES.length}] as site,
               case when abs(hashint4(n * 3 + ${seed})) % 100 < 70 then 'env-sensor'
                    when abs(hashint4(n * 3 + ${seed})) % 100 < 90 then 'tracker' else 'gateway' end as kind,
               (array['ES-100','ES-200','TR-10','TR-20','GW-1'])[1 + abs(hashint4(n * 5 + ${seed})) % 5] as model,
               case when abs(hashint4(n * 11 + ${seed})) % 100 < 70 then 'online'
                    when abs(hashint4(n * 11 + ${seed})) % 100 < 85 then 'offline'
                    when abs(hashint4(n * 11 + ${seed})) % 100 < 93 then 'stale' else 'unknown' end as status,
               (array[0,1,1,2,3,3,3,4,4,4,4,4,5,5,6,7])[1 + abs(hashint4(n * 19 + ${seed})) % 16] as fw
        from generate_series(1, ${n}) as n
      ) g`;
  }
}
