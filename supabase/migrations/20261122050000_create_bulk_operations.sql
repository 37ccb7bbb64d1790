-- Bulk actions on a filtered device selection (issue 6): one bulk_operations row per request and one
-- bulk_operation_items row per selected device, snapshotted when the operation is queued. Operators
-- create them as themselves; the worker executes them through the service role and records results.
-- Also: when a device's shadow was last refreshed on demand, so the detail page's refresh is throttled.

create type public.bulk_operation_kind as enum ('set_attribute', 'set_desired');
create type public.bulk_operation_status as enum ('queued', 'running', 'completed', 'cancelled', 'failed');
create type public.bulk_operation_item_status as enum ('pending', 'succeeded', 'failed', 'skipped');

-- Bulk operations ----------------------------------------------------------------------------------
create table public.bulk_operations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  requested_by uuid default auth.uid() references auth.users (id) on delete set null,
  kind public.bulk_operation_kind not null,
  key text not null constraint bulk_operations_key_length check (char_length(key) between 1 and 128),
  value jsonb not null,
  filter jsonb not null default '{}'::jsonb constraint bulk_operations_filter_object check (jsonb_typeof(filter) = 'object'),
  status public.bulk_operation_status not null default 'queued',
  total integer not null constraint bulk_operations_total_range check (total between 1 and 10000),
  succeeded_count integer not null default 0,
  failed_count integer not null default 0,
  skipped_count integer not null default 0,
  api_calls integer not null default 0,
  throttled integer not null default 0,
  error text constraint bulk_operations_error_length check (char_length(error) <= 2000),
  worker_id text,
  job_id text,
  cancel_requested_at timestamptz,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  heartbeat_at timestamptz,
  finished_at timestamptz,
  constraint bulk_operations_id_org_id_key unique (id, org_id),
  constraint bulk_operations_value_kind check (kind <> 'set_attribute' or jsonb_typeof(value) = 'string'),
  constraint bulk_operations_finished_consistent check ((status in ('queued', 'running')) = (finished_at is null))
);
create index bulk_operations_org_id_created_idx on public.bulk_operations (org_id, created_at desc);
comment on column public.bulk_operations.key is 'set_attribute: the attribute name; set_desired: the top-level desired-state key.';
comment on column public.bulk_operations.value is 'set_attribute: a JSON string (empty = remove the attribute); set_desired: any JSON value (null deletes the key).';
comment on column public.bulk_operations.filter is 'The device filter (features/devices/filters) the selection was made with, for display.';
comment on column public.bulk_operations.total is 'Devices selected when the operation was queued (one item each).';
comment on column public.bulk_operations.throttled is 'AWS answers of ThrottlingException; the worker slowed down and retried them.';
comment on column public.bulk_operations.heartbeat_at is 'Refreshed by the worker running it; a running operation without a recent heartbeat is taken over by the next attempt.';

-- Items --------------------------------------------------------------------------------------------
create table public.bulk_operation_items (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  operation_id uuid not null,
  device_id uuid not null,
  integration_id uuid not null,
  thing_name text not null,
  status public.bulk_operation_item_status not null default 'pending',
  error text constraint bulk_operation_items_error_length check (char_length(error) <= 1000),
  command_id uuid,
  finished_at timestamptz,
  constraint bulk_operation_items_operation_fkey foreign key (operation_id, org_id)
    references public.bulk_operations (id, org_id) on delete cascade,
  constraint bulk_operation_items_device_fkey foreign key (device_id, org_id)
    references public.devices (id, org_id) on delete cascade,
  constraint bulk_operation_items_operation_device_key unique (operation_id, device_id)
);
create index bulk_operation_items_org_id_operation_idx on public.bulk_operation_items (org_id, operation_id, status);
comment on column public.bulk_operation_items.error is 'Why this device failed (AWS error name and message) or was skipped.';
comment on column public.bulk_operation_items.command_id is 'set_desired: the device_commands row that tracks the write.';

-- Refresh throttle ---------------------------------------------------------------------------------
alter table public.devices add column shadow_refreshed_at timestamptz;
comment on column public.devices.shadow_refreshed_at is 'Last on-demand shadow refresh from the device page; refreshes of one device are spaced a few seconds apart.';

-- Grants -------------------------------------------------------------------------------------------
revoke all on table public.bulk_operations, public.bulk_operation_items from anon, authenticated;
grant select on table public.bulk_operations, public.bulk_operation_items to authenticated;
grant insert (org_id, kind, key, value, filter, total) on public.bulk_operations to authenticated;
grant update (cancel_requested_at) on public.bulk_operations to authenticated;
grant insert (org_id, operation_id, device_id, integration_id, thing_name) on public.bulk_operation_items to authenticated;

-- RLS ----------------------------------------------------------------------------------------------
alter table public.bulk_operations enable row level security;
alter table public.bulk_operation_items enable row level security;

-- Members follow the bulk operations of their organizations and their per-device results.
create policy bulk_operations_select_member on public.bulk_operations
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
create policy bulk_operation_items_select_member on public.bulk_operation_items
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
-- Operators queue bulk operations as themselves; the worker runs them.
create policy bulk_operations_insert_operator on public.bulk_operations
  for insert to authenticated
  with check ((select private.has_org_role(org_id, 'operator')) and requested_by = (select auth.uid()) and status = 'queued');
-- Operators ask for a cancellation (the only column they may update).
create policy bulk_operations_update_operator on public.bulk_operations
  for update to authenticated
  using ((select private.has_org_role(org_id, 'operator')))
  with check ((select private.has_org_role(org_id, 'operator')));
-- Items are added only to one's own operation while it is still queued.
create policy bulk_operation_items_insert_operator on public.bulk_operation_items
  for insert to authenticated
  with check (
    (select private.has_org_role(org_id, 'operator'))
    and status = 'pending'
    and exists (
      select 1 from public.bulk_operations o
      where o.id = operation_id and o.org_id = bulk_operation_items.org_id
        and o.requested_by = (select auth.uid()) and o.status = 'queued'
    )
  );
