-- The cached copy of each integration's AWS IoT fleet (design §4, §6): devices, their shadow history,
-- tracked commands, thing types and groups, OTA jobs, and one sync_runs row per sync attempt.
-- The sync worker writes through the service role (RLS bypassed, every query filters by org_id);
-- members of the organization read everything under RLS; only device_commands accept user inserts.

-- Child rows name their integration and organization together, and the pair must exist, so a row
-- can never point at another tenant's integration (the FKs below reference this key).
alter table public.integrations add constraint integrations_id_org_id_key unique (id, org_id);

create type public.device_status as enum ('online', 'offline', 'stale', 'unknown');
create type public.sync_mode as enum ('fleet_index', 'registry');
create type public.sync_run_status as enum ('running', 'succeeded', 'failed', 'cancelled');
create type public.device_command_status as enum ('pending', 'delivered', 'converged', 'timed_out', 'failed');

-- Thing types --------------------------------------------------------------------------------------
create table public.thing_types (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  integration_id uuid not null,
  name text not null,
  description text,
  searchable_attributes text[] not null default '{}',
  deprecated boolean not null default false,
  synced_at timestamptz not null default now(),
  constraint thing_types_integration_fkey foreign key (integration_id, org_id)
    references public.integrations (id, org_id) on delete cascade,
  constraint thing_types_integration_id_name_key unique (integration_id, name)
);
create index thing_types_org_id_idx on public.thing_types (org_id, integration_id);

-- Thing groups -------------------------------------------------------------------------------------
create table public.thing_groups (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  integration_id uuid not null,
  name text not null,
  parent_name text,
  description text,
  synced_at timestamptz not null default now(),
  constraint thing_groups_integration_fkey foreign key (integration_id, org_id)
    references public.integrations (id, org_id) on delete cascade,
  constraint thing_groups_integration_id_name_key unique (integration_id, name)
);
create index thing_groups_org_id_idx on public.thing_groups (org_id, integration_id);
comment on column public.thing_groups.parent_name is 'Parent thing group (DescribeThingGroup); null for a root group.';

-- Devices ------------------------------------------------------------------------------------------
create table public.devices (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  integration_id uuid not null,
  thing_name text not null constraint devices_thing_name_format check (thing_name ~ '^[a-zA-Z0-9:_-]{1,128}$'),
  display_name text,
  thing_type text,
  attributes jsonb not null default '{}'::jsonb constraint devices_attributes_object check (jsonb_typeof(attributes) = 'object'),
  groups text[] not null default '{}',
  registry_version bigint,
  connected boolean,
  status public.device_status not null default 'unknown',
  last_seen_at timestamptz,
  connectivity_changed_at timestamptz,
  disconnect_reason text,
  firmware_version text,
  battery double precision,
  rssi double precision,
  temperature double precision,
  shadow jsonb constraint devices_shadow_object check (shadow is null or jsonb_typeof(shadow) = 'object'),
  shadow_version bigint,
  named_shadows jsonb constraint devices_named_shadows_object check (named_shadows is null or jsonb_typeof(named_shadows) = 'object'),
  sync_hash text not null,
  first_seen_at timestamptz not null default now(),
  removed_at timestamptz,
  synced_at timestamptz not null default now(),
  constraint devices_integration_fkey foreign key (integration_id, org_id)
    references public.integrations (id, org_id) on delete cascade,
  constraint devices_integration_id_thing_name_key unique (integration_id, thing_name),
  constraint devices_id_org_id_key unique (id, org_id)
);
-- KPIs and lists filter the live devices of an organization by status.
create index devices_org_id_status_idx on public.devices (org_id, status) where removed_at is null;
create index devices_org_id_thing_name_idx on public.devices (org_id, thing_name);

comment on column public.devices.display_name is 'The thing''s displayName (or name) attribute when it has one; the UI falls back to thing_name.';
comment on column public.devices.registry_version is 'Registry version from ListThings (registry mode); SearchIndex does not return it, so fleet_index syncs leave it as last seen.';
comment on column public.devices.connected is 'Last known connection state: fleet-index connectivity, else the shadow''s reported "connected" lifecycle value; null when neither exists.';
comment on column public.devices.status is 'online / offline from connectivity; stale = connected but silent for longer than the expected report interval; unknown = no connectivity data.';
comment on column public.devices.last_seen_at is 'Latest sign of life: the newest reported-shadow write, or the last connect/disconnect, whichever is later.';
comment on column public.devices.connectivity_changed_at is 'When the device last connected or disconnected (connectivity timestamps are epoch milliseconds in AWS).';
comment on column public.devices.shadow is 'Classic shadow as {reported, desired, delta, metadata}; metadata timestamps are epoch seconds, as AWS sends them.';
comment on column public.devices.named_shadows is 'Named shadows by name, each {reported, desired, delta, metadata, version}; null until a sync could see them (a fleet index without named-shadow indexing cannot).';
comment on column public.devices.sync_hash is 'Fingerprint of everything the sync derives for the row; an unchanged fingerprint means the row is not rewritten.';
comment on column public.devices.removed_at is 'Set when a complete listing no longer contains the thing; cleared when it comes back. A failed or partial sync never sets it.';
comment on column public.devices.synced_at is 'When a sync last wrote this row (unchanged devices are not rewritten, so this is the last change seen).';

-- Shadow history -----------------------------------------------------------------------------------
create table public.device_shadow_history (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  device_id uuid not null,
  shadow_version bigint not null,
  reported jsonb not null,
  reported_at timestamptz,
  observed_at timestamptz not null default now(),
  constraint device_shadow_history_device_fkey foreign key (device_id, org_id)
    references public.devices (id, org_id) on delete cascade,
  constraint device_shadow_history_device_id_version_key unique (device_id, shadow_version)
);
create index device_shadow_history_org_id_device_idx on public.device_shadow_history (org_id, device_id, reported_at desc);
comment on table public.device_shadow_history is 'Telemetry fallback: one row per shadow version a sync observed (versions between two syncs are not seen).';
comment on column public.device_shadow_history.reported_at is 'Device time of the newest reported key in this version (shadow metadata, epoch seconds).';
comment on column public.device_shadow_history.observed_at is 'When the sync saw this version.';

-- Device commands ------------------------------------------------------------------------------------
create table public.device_commands (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  device_id uuid not null,
  requested_by uuid default auth.uid() references auth.users (id) on delete set null,
  shadow_name text constraint device_commands_shadow_name_format check (shadow_name ~ '^[a-zA-Z0-9:_-]{1,64}$'),
  desired jsonb not null constraint device_commands_desired_object check (jsonb_typeof(desired) = 'object'),
  status public.device_command_status not null default 'pending',
  shadow_version bigint,
  timeout_seconds integer not null default 600 constraint device_commands_timeout_range check (timeout_seconds between 10 and 604800),
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  resolved_at timestamptz,
  error text constraint device_commands_error_length check (char_length(error) <= 2000),
  constraint device_commands_device_fkey foreign key (device_id, org_id)
    references public.devices (id, org_id) on delete cascade,
  constraint device_commands_resolved_consistent check ((status in ('pending', 'delivered')) = (resolved_at is null))
);
create index device_commands_org_id_open_idx on public.device_commands (org_id, device_id) where status in ('pending', 'delivered');
create index device_commands_org_id_device_created_idx on public.device_commands (org_id, device_id, created_at desc);
comment on column public.device_commands.shadow_name is 'Named shadow the desired state was written to; null for the classic shadow.';
comment on column public.device_commands.shadow_version is 'Shadow version UpdateThingShadow returned for this write.';
comment on column public.device_commands.status is 'pending → delivered (device seen online since) → converged (reported matches desired) | timed_out | failed (desired overwritten).';

-- Sync runs ----------------------------------------------------------------------------------------
create table public.sync_runs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  integration_id uuid not null,
  trigger text not null constraint sync_runs_trigger_known check (trigger in ('schedule', 'manual', 'cron', 'cli')),
  requested_by uuid references auth.users (id) on delete set null,
  mode public.sync_mode,
  status public.sync_run_status not null default 'running',
  things_seen integer not null default 0,
  devices_upserted integer not null default 0,
  devices_unchanged integer not null default 0,
  devices_removed integer not null default 0,
  shadow_history_rows integer not null default 0,
  shadow_errors integer not null default 0,
  api_calls integer not null default 0,
  throttled integer not null default 0,
  retries integer not null default 0,
  commands_resolved integer not null default 0,
  ota_jobs integer not null default 0,
  api_stats jsonb not null default '{}'::jsonb,
  progress jsonb not null default '{}'::jsonb,
  complete_listing boolean not null default false,
  warnings text[] not null default '{}',
  error text constraint sync_runs_error_length check (char_length(error) <= 2000),
  error_code text,
  worker_id text,
  job_id text,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint sync_runs_integration_fkey foreign key (integration_id, org_id)
    references public.integrations (id, org_id) on delete cascade,
  constraint sync_runs_finished_consistent check ((status = 'running') = (finished_at is null))
);
-- The lease: at most one running sync per integration, whichever worker or process started it.
create unique index sync_runs_one_running_key on public.sync_runs (integration_id) where status = 'running';
create index sync_runs_org_id_integration_started_idx on public.sync_runs (org_id, integration_id, started_at desc);
comment on column public.sync_runs.trigger is 'schedule (interval tick), manual (Sync now), cron (/api/cron/tick), cli (npm run sync).';
comment on column public.sync_runs.devices_unchanged is 'Things seen whose derived row was identical, so nothing was written.';
comment on column public.sync_runs.api_calls is 'AWS requests sent, retries included.';
comment on column public.sync_runs.throttled is 'Requests AWS answered with ThrottlingException; retried after slowing down, never fatal on their own.';
comment on column public.sync_runs.api_stats is 'Per AWS API: {calls, throttled, errors, ratePerSecond} (rate = the budgeted token-bucket rate at the end of the run).';
comment on column public.sync_runs.progress is 'Updated while running: {phase, pagesDone, thingsSoFar, expectedThings}.';
comment on column public.sync_runs.complete_listing is 'True when every page of the thing listing was read; only then are missing things marked removed.';
comment on column public.sync_runs.error_code is 'AWS error name (e.g. UnrecognizedClientException) or an internal code; repeated authentication failures pause the integration.';
comment on column public.sync_runs.heartbeat_at is 'Refreshed by the running worker; a running row without a recent heartbeat belongs to a worker that died and may be taken over.';

-- OTA jobs -----------------------------------------------------------------------------------------
create table public.ota_jobs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  integration_id uuid not null,
  job_id text not null constraint ota_jobs_job_id_format check (job_id ~ '^[a-zA-Z0-9_-]{1,64}$'),
  job_arn text,
  status text not null,
  target_selection text,
  targets text[] not null default '{}',
  description text,
  force_canceled boolean,
  reason_code text,
  comment text,
  rollout_config jsonb,
  abort_config jsonb,
  timeout_config jsonb,
  retry_config jsonb,
  queued_count integer not null default 0,
  in_progress_count integer not null default 0,
  succeeded_count integer not null default 0,
  failed_count integer not null default 0,
  rejected_count integer not null default 0,
  canceled_count integer not null default 0,
  removed_count integer not null default 0,
  timed_out_count integer not null default 0,
  created_at_aws timestamptz,
  last_updated_at_aws timestamptz,
  completed_at_aws timestamptz,
  synced_at timestamptz not null default now(),
  constraint ota_jobs_integration_fkey foreign key (integration_id, org_id)
    references public.integrations (id, org_id) on delete cascade,
  constraint ota_jobs_integration_id_job_id_key unique (integration_id, job_id),
  constraint ota_jobs_id_org_id_key unique (id, org_id)
);
create index ota_jobs_org_id_status_idx on public.ota_jobs (org_id, status, last_updated_at_aws desc);
comment on column public.ota_jobs.status is 'AWS job status: IN_PROGRESS, CANCELED, COMPLETED, DELETION_IN_PROGRESS or SCHEDULED.';
comment on column public.ota_jobs.queued_count is 'Per-status execution counts from DescribeJob jobProcessDetails (one execution per targeted thing).';

create table public.ota_job_executions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  ota_job_id uuid not null,
  thing_name text not null,
  status text not null,
  queued_at timestamptz,
  started_at timestamptz,
  last_updated_at timestamptz,
  execution_number bigint,
  retry_attempt integer,
  synced_at timestamptz not null default now(),
  constraint ota_job_executions_job_fkey foreign key (ota_job_id, org_id)
    references public.ota_jobs (id, org_id) on delete cascade,
  constraint ota_job_executions_job_thing_key unique (ota_job_id, thing_name)
);
create index ota_job_executions_org_id_thing_idx on public.ota_job_executions (org_id, thing_name);
comment on column public.ota_job_executions.status is 'AWS execution status: QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT, REJECTED, REMOVED or CANCELED.';

-- Grants -------------------------------------------------------------------------------------------
-- API roles read (RLS decides which rows); only the service role writes, except command requests.
revoke all on table public.thing_types, public.thing_groups, public.devices, public.device_shadow_history,
  public.device_commands, public.sync_runs, public.ota_jobs, public.ota_job_executions from anon, authenticated;
grant select on table public.thing_types, public.thing_groups, public.devices, public.device_shadow_history,
  public.device_commands, public.sync_runs, public.ota_jobs, public.ota_job_executions to authenticated;
grant insert (org_id, device_id, shadow_name, desired, shadow_version, timeout_seconds) on public.device_commands to authenticated;

-- RLS ----------------------------------------------------------------------------------------------
alter table public.thing_types enable row level security;
alter table public.thing_groups enable row level security;
alter table public.devices enable row level security;
alter table public.device_shadow_history enable row level security;
alter table public.device_commands enable row level security;
alter table public.sync_runs enable row level security;
alter table public.ota_jobs enable row level security;
alter table public.ota_job_executions enable row level security;

-- Members see the fleet cache of their organizations.
create policy thing_types_select_member on public.thing_types
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
create policy thing_groups_select_member on public.thing_groups
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
create policy devices_select_member on public.devices
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
create policy device_shadow_history_select_member on public.device_shadow_history
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
create policy device_commands_select_member on public.device_commands
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
create policy sync_runs_select_member on public.sync_runs
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
create policy ota_jobs_select_member on public.ota_jobs
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
create policy ota_job_executions_select_member on public.ota_job_executions
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
-- Operators record the commands they send, as themselves and pending; the sync resolves them.
create policy device_commands_insert_operator on public.device_commands
  for insert to authenticated
  with check ((select private.has_org_role(org_id, 'operator')) and requested_by = (select auth.uid()) and status = 'pending');
