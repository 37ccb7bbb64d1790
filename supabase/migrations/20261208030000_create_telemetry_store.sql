-- Fleetline's own time-series store (issue 13): raw points partitioned by day, 5-minute and 1-hour
-- rollups per device and metric kept up to date by the writer (src/features/telemetry-store/service.ts),
-- and retention by dropping whole partitions. Members read (once-per-statement membership check,
-- as on devices); only the server writes (service_role).
--
-- Retention layout: raw partitions are daily and shared by every organization (one partition per org
-- and day would make 30 × orgs tables and planning cost grow with tenants). A partition is dropped
-- once it is older than the LONGEST raw retention of any organization; organizations that keep less
-- have their older rows deleted (bounded: at most max − their retention days of their own data).
-- Rollups are kept longer than raw and partitioned too, so they also age out by dropping whole
-- partitions: 5-minute rollups in daily partitions kept 90 days, hourly ones in monthly partitions
-- kept 400 days (a month is dropped once all of it is older than that).
--
-- Write speed: rollup rows are updated in place by every batch, so their partitions leave half of
-- each page free (fillfactor 50) and carry no index on the updated columns: updates stay HOT (no
-- index maintenance), about 3× faster than with a bucket index at one point per key per batch.

-- Per-organization raw retention -------------------------------------------------------------------
alter table public.organizations
  add column telemetry_retention_days integer not null default 30
  constraint organizations_telemetry_retention_days_check check (telemetry_retention_days between 1 and 90);
comment on column public.organizations.telemetry_retention_days is
  'Days raw telemetry points are kept (rollups: 5 min for 90 days, 1 h for 400 days). At most 90, so 5-minute rollups always outlive raw points.';

-- Partitions live in their own schema, which no API role may use: reads and writes go through the
-- parent (its grants and RLS apply), and nothing can address a partition directly.
create schema if not exists telemetry_partitions;
revoke all on schema telemetry_partitions from public;

-- Raw points ---------------------------------------------------------------------------------------
-- Compact: no surrogate id, fixed-width columns first (no alignment padding), no foreign keys (a
-- per-row check costs the write path; rows of a deleted organization are removed by retention).
-- The primary key makes a retried batch harmless (on conflict do nothing) and serves device reads.
create table public.telemetry_points (
  org_id uuid not null,
  integration_id uuid not null,
  device_id uuid not null,
  ts timestamptz not null,
  value double precision not null constraint telemetry_points_value_finite check (value > '-Infinity' and value < 'Infinity'),
  metric text not null constraint telemetry_points_metric_check check (metric ~ '^[A-Za-z][A-Za-z0-9_.-]{0,63}$'),
  constraint telemetry_points_pkey primary key (device_id, metric, ts)
) partition by range (ts);
comment on table public.telemetry_points is 'Raw telemetry, one row per device, metric and time; daily partitions in schema telemetry_partitions.';

-- Rollups ------------------------------------------------------------------------------------------
-- Mergeable aggregates (min, max, sum, count; avg = sum / count), upserted from each inserted batch
-- in the writer's statement. integration_id lets a chart ask whether the store holds data for it.
-- Partitions (daily for 5 min, monthly for 1 h) are created with fillfactor 50, see above.
create table public.telemetry_rollups_5m (
  org_id uuid not null,
  integration_id uuid not null,
  device_id uuid not null,
  bucket timestamptz not null,
  min double precision not null,
  max double precision not null,
  sum double precision not null,
  count bigint not null,
  metric text not null,
  constraint telemetry_rollups_5m_pkey primary key (device_id, metric, bucket)
) partition by range (bucket);
comment on column public.telemetry_rollups_5m.bucket is 'Start of the 5-minute bucket (date_bin from the epoch, UTC).';

create table public.telemetry_rollups_1h (
  org_id uuid not null,
  integration_id uuid not null,
  device_id uuid not null,
  bucket timestamptz not null,
  min double precision not null,
  max double precision not null,
  sum double precision not null,
  count bigint not null,
  metric text not null,
  constraint telemetry_rollups_1h_pkey primary key (device_id, metric, bucket)
) partition by range (bucket);
comment on column public.telemetry_rollups_1h.bucket is 'Start of the hour (UTC).';
-- "Does the store hold data for this integration in this range?" (source choice; never updated, so HOT holds).
create index telemetry_rollups_1h_integration_idx on public.telemetry_rollups_1h (integration_id, bucket);

-- Grants and RLS -----------------------------------------------------------------------------------
revoke all on table public.telemetry_points, public.telemetry_rollups_5m, public.telemetry_rollups_1h from anon, authenticated;
grant select on table public.telemetry_points, public.telemetry_rollups_5m, public.telemetry_rollups_1h to authenticated;
grant all on table public.telemetry_points, public.telemetry_rollups_5m, public.telemetry_rollups_1h to service_role;

alter table public.telemetry_points enable row level security;
alter table public.telemetry_rollups_5m enable row level security;
alter table public.telemetry_rollups_1h enable row level security;

-- Members read their organizations' telemetry (membership checked once per statement, not per row).
create policy telemetry_points_select_member on public.telemetry_points
  for select to authenticated using (org_id = any ((select private.member_org_ids('viewer'))::uuid[]));
-- Members read their organizations' 5-minute rollups.
create policy telemetry_rollups_5m_select_member on public.telemetry_rollups_5m
  for select to authenticated using (org_id = any ((select private.member_org_ids('viewer'))::uuid[]));
-- Members read their organizations' hourly rollups.
create policy telemetry_rollups_1h_select_member on public.telemetry_rollups_1h
  for select to authenticated using (org_id = any ((select private.member_org_ids('viewer'))::uuid[]));

-- Partition maintenance -------------------------------------------------------------------------------
-- Creates the partitions the days [p_from, p_to] (UTC) need: raw and 5-minute rollups per day,
-- hourly rollups per month; returns how many it created. Serialized by an advisory lock so
-- concurrent writers and the maintenance job never race.
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
begin
  if p_to < p_from or p_to - p_from > 400 then
    raise exception 'invalid partition range % .. %', p_from, p_to using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('fleetline.telemetry_partitions'));
  d := p_from;
  while d <= p_to loop
    part := 'points_' || to_char(d, 'YYYYMMDD');
    if to_regclass('telemetry_partitions.' || part) is null then
      execute format(
        'create table telemetry_partitions.%I partition of public.telemetry_points for values from (%L) to (%L)',
        part, (d::text || ' 00:00:00+00'), ((d + 1)::text || ' 00:00:00+00'));
      created := created + 1;
    end if;
    part := 'rollups_5m_' || to_char(d, 'YYYYMMDD');
    if to_regclass('telemetry_partitions.' || part) is null then
      execute format(
        'create table telemetry_partitions.%I partition of public.telemetry_rollups_5m for values from (%L) to (%L) with (fillfactor = 50)',
        part, (d::text || ' 00:00:00+00'), ((d + 1)::text || ' 00:00:00+00'));
      created := created + 1;
    end if;
    month := date_trunc('month', d)::date;
    part := 'rollups_1h_' || to_char(month, 'YYYYMM');
    if to_regclass('telemetry_partitions.' || part) is null then
      execute format(
        'create table telemetry_partitions.%I partition of public.telemetry_rollups_1h for values from (%L) to (%L) with (fillfactor = 50)',
        part, (month::text || ' 00:00:00+00'), ((month + interval '1 month')::date::text || ' 00:00:00+00'));
      created := created + 1;
    end if;
    d := d + 1;
  end loop;
  return created;
end;
$$;
revoke all on function private.ensure_telemetry_partitions_between(date, date) from public;
grant execute on function private.ensure_telemetry_partitions_between(date, date) to service_role;

-- Yesterday (late points) through `p_days_ahead` days from today, UTC.
create or replace function private.ensure_telemetry_partitions(p_days_ahead integer default 7)
returns integer
language sql
security definer
set search_path = ''
as $$
  select private.ensure_telemetry_partitions_between(
    (now() at time zone 'utc')::date - 1, (now() at time zone 'utc')::date + greatest(p_days_ahead, 0));
$$;
revoke all on function private.ensure_telemetry_partitions(integer) from public;
grant execute on function private.ensure_telemetry_partitions(integer) to service_role;

-- Retention (see the header): drops raw partitions past the longest retention and rollup partitions
-- past theirs, and deletes older raw rows of organizations that keep less.
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
      or (i.inhparent = 'public.telemetry_rollups_5m'::regclass and c.relname ~ '^rollups_5m_[0-9]{8}$'
        and to_date(right(c.relname, 8), 'YYYYMMDD') + 1 <= today - 90)
      or (i.inhparent = 'public.telemetry_rollups_1h'::regclass and c.relname ~ '^rollups_1h_[0-9]{6}$'
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

-- No foreign keys on the telemetry tables (write cost), so an organization's telemetry goes with it here.
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
  return old;
end;
$$;
revoke all on function private.delete_org_telemetry() from public;
create trigger organizations_delete_telemetry after delete on public.organizations
  for each row execute function private.delete_org_telemetry();

-- Partitions for the first days, so writes work before the worker's first maintenance run.
select private.ensure_telemetry_partitions(7);
