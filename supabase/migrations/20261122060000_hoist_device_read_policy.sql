-- Fleet-wide reads over 100,000 devices (overview aggregates, list counts) under RLS.
-- `(select private.has_org_role(org_id, 'viewer'))` depends on the row, so Postgres cannot hoist it:
-- EXPLAIN shows one SubPlan call per device (about 0.5 s at 100k). The policy below asks once per
-- statement which organizations the user may read (an InitPlan) and compares each row's org_id with
-- that array, which the planner can also use as an index condition. Same rule, same roles.

create or replace function private.member_org_ids(p_min_role public.org_role)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.org_id), '{}')
  from public.memberships m
  where m.user_id = (select auth.uid())
    and m.role >= p_min_role;
$$;
comment on function private.member_org_ids(public.org_role) is
  'Organizations where the current user holds at least p_min_role: private.has_org_role for every org at once, for policies on large tables.';
revoke all on function private.member_org_ids(public.org_role) from public;
grant execute on function private.member_org_ids(public.org_role) to authenticated, service_role;

-- Members see the fleet cache of their organizations (evaluated once per statement, not per row).
drop policy devices_select_member on public.devices;
create policy devices_select_member on public.devices
  for select to authenticated using (org_id = any ((select private.member_org_ids('viewer'))::uuid[]));

-- The overview's "recent commands" reads the newest commands of an organization across devices.
create index device_commands_org_id_created_idx on public.device_commands (org_id, created_at desc);
