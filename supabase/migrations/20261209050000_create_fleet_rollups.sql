-- Fleet-level rollups (issue 13): per organization, integration, metric and bucket, the min, max, sum
-- and count of every point of the integration's devices, at 5 minutes and 1 hour. A whole-fleet chart
-- (every live device of an integration selected) reads one row per bucket here instead of one per
-- device and bucket (a 7-day chart of 10,000 devices: 2,016 rows instead of ~20 million). Maintained
-- by the same writer statement as the device rollups (src/features/telemetry-store/service.ts), from
-- exactly the points that went in, so they never drift from the raw rows. Partitioned and retained
-- like the device rollups (5 minutes: daily partitions kept 90 days; 1 hour: monthly kept 400 days).
-- Members read; only the server writes.
--
-- Rows are updated by nearly every batch (one hot row per integration, metric and current bucket), so
-- partitions leave half of each page free (fillfactor 50) and there is no index besides the key: HOT.

create table public.telemetry_fleet_rollups_5m (
  org_id uuid not null,
  integration_id uuid not null,
  bucket timestamptz not null,
  min double precision not null,
  max double precision not null,
  sum double precision not null,
  count bigint not null,
  metric text not null,
  constraint telemetry_fleet_rollups_5m_pkey primary key (integration_id, metric, bucket)
) partition by range (bucket);
comment on table public.telemetry_fleet_rollups_5m is 'Per integration, metric and 5-minute bucket: aggregates over all its devices'' points (daily partitions).';

create table public.telemetry_fleet_rollups_1h (
  org_id uuid not null,
  integration_id uuid not null,
  bucket timestamptz not null,
  min double precision not null,
  max double precision not null,
  sum double precision not null,
  count bigint not null,
  metric text not null,
  constraint telemetry_fleet_rollups_1h_pkey primary key (integration_id, metric, bucket)
) partition by range (bucket);
comment on table public.telemetry_fleet_rollups_1h is 'Per integration, metric and hour: aggregates over all its devices'' points (monthly partitions).';

-- "Does the store hold data for this integration in this range?" is now asked of the hourly fleet
-- rollups (their key starts with integration_id), so the device rollups lose the index that served it
-- (one index less for every new hourly row the writer inserts).
drop index public.telemetry_rollups_1h_integration_idx;

revoke all on table public.telemetry_fleet_rollups_5m, public.telemetry_fleet_rollups_1h from anon, authenticated;
grant select on table public.telemetry_fleet_rollups_5m, public.telemetry_fleet_rollups_1h to authenticated;
grant all on table public.telemetry_fleet_rollups_5m, public.telemetry_fleet_rollups_1h to service_role;

alter table public.telemetry_fleet_rollups_5m enable row level security;
alter table public.telemetry_fleet_rollups_1h enable row level security;

-- Members read their organizations' fleet rollups (membership checked once per statement).
create policy telemetry_fleet_rollups_5m_select_member on public.telemetry_fleet_rollups_5m
  for select to authenticated using (org_id = any ((select private.member_org_ids('viewer'))::uuid[]));
-- Members read their organizations' hourly fleet rollups.
create policy telemetry_fleet_rollups_1h_select_member on public.telemetry_fleet_rollups_1h
  for select to authenticated using (org_id = any ((select private.member_org_ids('viewer'))::uuid[]));

-- Partition maintenance, now with the fleet rollups (same periods as the device rollups).
create or replace function private.ensure_telemetry_partitions_between(p_from date, p_to date)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  d date;
  month date;
  created integer := 0;
  part text;
  spec record;
begin
  if p_to < p_from or p_to - p_from > 400 then
    raise exception 'invalid partition range % .. %', p_from, p_to using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('fleetline.telemetry_partitions'));
  d := p_from;
  while d <= p_to loop
    month := date_trunc('month', d)::date;
    for spec in
      select * from (values
        ('points_' || to_char(d, 'YYYYMMDD'), 'public.telemetry_points', d, d + 1, ''),
        ('rollups_5m_' || to_char(d, 'YYYYMMDD'), 'public.telemetry_rollups_5m', d, d + 1, ' with (fillfactor = 50)'),
        ('rollups_1h_' || to_char(month, 'YYYYMM'), 'public.telemetry_rollups_1h', month, (month + interval '1 month')::date, ' with (fillfactor = 50)'),
        ('fleet_5m_' || to_char(d, 'YYYYMMDD'), 'public.telemetry_fleet_rollups_5m', d, d + 1, ' with (fillfactor = 50)'),
        ('fleet_1h_' || to_char(month, 'YYYYMM'), 'public.telemetry_fleet_rollups_1h', month, (month + interval '1 month')::date, ' with (fillfactor = 50)')
      ) as s(part, parent, lo, hi, storage)
    loop
      if to_regclass('telemetry_partitions.' || spec.part) is null then
        execute format('create table telemetry_partitions.%I partition of %s for values from (%L) to (%L)%s',
          spec.part, spec.parent, (spec.lo::text || ' 00:00:00+00'), (spec.hi::text || ' 00:00:00+00'), spec.storage);
        created := created + 1;
      end if;
    end loop;
    d := d + 1;
  end loop;
  return created;
end;
$$;
revoke all on function private.ensure_telemetry_partitions_between(date, date) from public;
grant execute on function private.ensure_telemetry_partitions_between(date, date) to service_role;

-- Retention, now dropping fleet rollup partitions on the device rollups' schedule.
create or replace function private.apply_telemetry_retention(p_now timestamptz default now())
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  longest integer;
  cutoff date;
  part record;
  dropped text[] := '{}';
  raw_deleted bigint := 0;
  n bigint;
  today date := (p_now at time zone 'utc')::date;
begin
  select coalesce(max(o.telemetry_retention_days), 30) into longest from public.organizations o;
  -- A partition whose day ends before this date holds only rows every organization may forget.
  cutoff := (p_now at time zone 'utc')::date - longest;
  perform pg_advisory_xact_lock(hashtext('fleetline.telemetry_partitions'));
  -- Each partition's last day (names carry their period), against its table's retention.
  for part in
    select c.relname from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_namespace ns on ns.oid = c.relnamespace
    where ns.nspname = 'telemetry_partitions' and (
      (i.inhparent = 'public.telemetry_points'::regclass and c.relname ~ '^points_[0-9]{8}$'
        and to_date(right(c.relname, 8), 'YYYYMMDD') + 1 <= cutoff)
      or (i.inhparent in ('public.telemetry_rollups_5m'::regclass, 'public.telemetry_fleet_rollups_5m'::regclass)
        and c.relname ~ '^(rollups|fleet)_5m_[0-9]{8}$'
        and to_date(right(c.relname, 8), 'YYYYMMDD') + 1 <= today - 90)
      or (i.inhparent in ('public.telemetry_rollups_1h'::regclass, 'public.telemetry_fleet_rollups_1h'::regclass)
        and c.relname ~ '^(rollups|fleet)_1h_[0-9]{6}$'
        and (to_date(right(c.relname, 6), 'YYYYMM') + interval '1 month')::date <= today - 400))
    order by c.relname
  loop
    execute format('drop table telemetry_partitions.%I', part.relname);
    dropped := dropped || part.relname::text;
  end loop;

  -- The constant bounds let the planner prune to the partitions between the shortest and longest retention.
  select coalesce(min(o.telemetry_retention_days), longest) into n from public.organizations o;
  delete from public.telemetry_points p
  using public.organizations o
  where p.org_id = o.id and o.telemetry_retention_days < longest
    and p.ts < p_now - make_interval(days => n::integer)
    and p.ts < p_now - make_interval(days => o.telemetry_retention_days);
  get diagnostics raw_deleted = row_count;

  return jsonb_build_object('droppedPartitions', to_jsonb(dropped), 'rawRowsDeleted', raw_deleted, 'longestRetentionDays', longest);
end;
$$;
revoke all on function private.apply_telemetry_retention(timestamptz) from public;
grant execute on function private.apply_telemetry_retention(timestamptz) to service_role;

-- An organization's fleet rollups go with it, like its other telemetry (no foreign keys).
create or replace function private.delete_org_telemetry()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.telemetry_points where org_id = old.id;
  delete from public.telemetry_rollups_5m where org_id = old.id;
  delete from public.telemetry_rollups_1h where org_id = old.id;
  delete from public.telemetry_fleet_rollups_5m where org_id = old.id;
  delete from public.telemetry_fleet_rollups_1h where org_id = old.id;
  return old;
end;
$$;
revoke all on function private.delete_org_telemetry() from public;

-- Fleet partitions for every day that already has device rollups, then the fleet rollups of the data
-- already stored (computed from the device rollups, which hold the same points).
do $$
declare
  part record;
begin
  for part in
    select to_date(right(c.relname, 8), 'YYYYMMDD') as day from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'public.telemetry_rollups_5m'::regclass and c.relname ~ '^rollups_5m_[0-9]{8}$'
  loop
    perform private.ensure_telemetry_partitions_between(part.day, part.day);
  end loop;
end;
$$;
select private.ensure_telemetry_partitions(7);

insert into public.telemetry_fleet_rollups_5m (org_id, integration_id, metric, bucket, min, max, sum, count)
select org_id, integration_id, metric, bucket, min(min), max(max), sum(sum), sum(count)::bigint
from public.telemetry_rollups_5m group by 1, 2, 3, 4;
insert into public.telemetry_fleet_rollups_1h (org_id, integration_id, metric, bucket, min, max, sum, count)
select org_id, integration_id, metric, bucket, min(min), max(max), sum(sum), sum(count)::bigint
from public.telemetry_rollups_1h group by 1, 2, 3, 4;
