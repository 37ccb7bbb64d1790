import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';

/**
 * A large synthetic fleet for the overview benchmark: one organization with its owner, one
 * integration and `devices` live devices (plus a few removed ones), skewed like a real fleet
 * (many firmware versions, overlapping groups, missing readings), OTA jobs and a command history.
 * Written with set-based SQL as the superuser, so 100,000 devices take seconds.
 */
export interface SeededOrg {
  orgId: string;
  slug: string;
  userId: string;
}

export interface FleetShape {
  devices: number;
  removed: number;
  commands: number;
  otaJobs: number;
}

export const BENCH_FLEET: FleetShape = { devices: 100_000, removed: 2_000, commands: 50_000, otaJobs: 40 };

export async function seedOverviewFleet(sql: postgres.Sql, label: string, shape: FleetShape = BENCH_FLEET): Promise<SeededOrg> {
  const userId = randomUUID();
  const orgId = randomUUID();
  const integrationId = randomUUID();
  const slug = `${label}-${userId.slice(0, 6)}`;
  await sql`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                            raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', ${userId}, 'authenticated', 'authenticated', ${`${slug}@bench.test`}, '',
            now(), '{"provider":"email","providers":["email"]}', '{}', now(), now())`;
  await sql`insert into public.organizations (id, slug, name) values (${orgId}, ${slug}, ${`${label} fleet`})`;
  await sql`insert into public.memberships (org_id, user_id, role) values (${orgId}, ${userId}, 'owner')`;
  await sql`
    insert into public.integrations (id, org_id, name, region, auth_type, role_arn, external_id, status)
    values (${integrationId}, ${orgId}, 'bench', 'eu-west-1', 'assume_role', 'arn:aws:iam::123456789012:role/Bench', ${`ext-${orgId}`}, 'active')`;

  // Deterministic pseudo-random columns from the row number (hashes, not random()), so both orgs
  // and every run get the same distribution.
  await sql`
    insert into public.devices (org_id, integration_id, thing_name, thing_type, groups, status, connected, firmware_version,
                                battery, rssi, sync_hash, last_seen_at, removed_at, attributes, shadow, shadow_version, named_shadows)
    select ${orgId}, ${integrationId}, 'thing-' || lpad(n::text, 7, '0'),
           case when h % 50 = 0 then null else (array['env-sensor', 'env-sensor', 'env-sensor', 'tracker', 'tracker', 'gateway', 'meter', 'camera'])[1 + h % 8] end,
           case when h % 40 = 0 then '{}'::text[]
                else array['site-' || (h / 7) % 24] || case when h % 3 = 0 then array['region-' || (h / 11) % 4] else '{}'::text[] end end,
           (array['online', 'online', 'online', 'online', 'online', 'online', 'online', 'offline', 'stale', 'unknown'])[1 + (h / 13) % 10]::public.device_status,
           (h / 13) % 10 < 7,
           case when h % 30 = 0 then null else '1.' || least((h / 17) % 400, (h / 19) % 400) / 25 || '.' || (h / 23) % 3 end,
           case when h % 20 = 0 then null else ((h / 29) % 1001) / 10.0 end,
           case when h % 25 = 0 then null else -105 + ((h / 31) % 80) end,
           md5(n::text), now() - make_interval(secs => (h / 37) % 86400),
           case when n > ${shape.devices} then now() - interval '1 day' end,
           -- Rows as wide as a synced fleet's: registry attributes, the classic shadow with its
           -- metadata, and one named shadow (about 1 kB a row), so scans read realistic pages.
           jsonb_build_object('site', 'site-' || (h / 7) % 24, 'model', 'M-' || h % 5, 'serial', 'SN' || to_hex(h), 'hwRev', chr(65 + h % 3)),
           jsonb_build_object(
             'reported', jsonb_build_object('connected', (h / 13) % 10 < 7, 'firmware', '1.' || (h / 17) % 16, 'battery', (h / 29) % 100,
                                            'rssi', -105 + (h / 31) % 80, 'temperature', 15 + (h % 100) / 10.0, 'uptimeSec', h % 864000),
             'desired', jsonb_build_object('reportIntervalSec', 300, 'ledColor', 'green'),
             'metadata', jsonb_build_object('reported', jsonb_build_object(
               'connected', jsonb_build_object('timestamp', 1763800000 + h % 86400), 'firmware', jsonb_build_object('timestamp', 1763700000 + h % 86400),
               'battery', jsonb_build_object('timestamp', 1763800000 + h % 86400), 'rssi', jsonb_build_object('timestamp', 1763800000 + h % 86400),
               'temperature', jsonb_build_object('timestamp', 1763800000 + h % 86400), 'uptimeSec', jsonb_build_object('timestamp', 1763800000 + h % 86400)))),
           h % 5000,
           jsonb_build_object('config', jsonb_build_object('reported', jsonb_build_object('reportIntervalSec', 300, 'logLevel', 'info'), 'version', h % 50))
    from generate_series(1, ${shape.devices + shape.removed}) n,
         lateral (select abs(hashtext(${orgId} || n::text)) as h) x`;

  await sql`
    insert into public.ota_jobs (org_id, integration_id, job_id, status, targets, queued_count, in_progress_count, succeeded_count,
                                 failed_count, timed_out_count, created_at_aws, last_updated_at_aws)
    select ${orgId}, ${integrationId}, 'fw-rollout-' || n,
           case when n % 8 = 0 then 'IN_PROGRESS' when n % 8 = 1 then 'SCHEDULED' when n % 8 = 2 then 'CANCELED' else 'COMPLETED' end,
           array['arn:aws:iot:eu-west-1:123456789012:thinggroup/site-' || n % 24],
           case when n % 8 in (0, 1) then 400 - n else 0 end, case when n % 8 = 0 then 50 else 0 end,
           300 + n, n % 7, n % 3, now() - make_interval(days => n), now() - make_interval(hours => n)
    from generate_series(1, ${shape.otaJobs}) n`;

  await sql`
    insert into public.device_commands (org_id, device_id, desired, status, created_at, resolved_at)
    select ${orgId}, d.id, jsonb_build_object('reportIntervalSec', 60 + n % 240),
           s.status::public.device_command_status, s.created_at,
           case when s.status in ('pending', 'delivered') then null else s.created_at + interval '30 seconds' end
    from generate_series(1, ${shape.commands}) n
    join lateral (
      select (array['converged', 'converged', 'converged', 'timed_out', 'failed', 'delivered', 'pending'])[1 + n % 7] as status,
             now() - make_interval(secs => (${shape.commands} - n) * 60) as created_at
    ) s on true
    join public.devices d on d.org_id = ${orgId} and d.thing_name = 'thing-' || lpad((1 + (n * 7919) % ${shape.devices})::text, 7, '0')`;

  return { orgId, slug, userId };
}
