-- Alerts (design §9): rules per organization, alert instances per rule and subject (a device, or the
-- fleet / a job / an integration for fleet-level rules), per-device snoozes and each member's bell
-- read mark. Members read under RLS; every write is the server's (service role): rules after the
-- action wrapper's and the service's role checks, instances by the evaluation in the worker.

create type public.alert_rule_kind as enum ('offline', 'threshold', 'fleet_share', 'anomaly', 'ota_failure', 'sync_failure', 'command_timeout');
create type public.alert_severity as enum ('critical', 'warning', 'info');
create type public.alert_state as enum ('pending', 'firing', 'acknowledged', 'resolved');

-- Rules --------------------------------------------------------------------------------------------
create table public.alert_rules (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null constraint alert_rules_name_length check (char_length(name) between 1 and 120),
  description text constraint alert_rules_description_length check (char_length(description) <= 2000),
  kind public.alert_rule_kind not null,
  severity public.alert_severity not null default 'warning',
  filter jsonb not null default '{}'::jsonb constraint alert_rules_filter_object check (jsonb_typeof(filter) = 'object'),
  condition jsonb not null constraint alert_rules_condition_object check (jsonb_typeof(condition) = 'object'),
  for_seconds integer not null default 0 constraint alert_rules_for_seconds_range check (for_seconds between 0 and 604800),
  enabled boolean not null default true,
  snoozed_until timestamptz,
  channel_ids uuid[] not null default '{}',
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint alert_rules_id_org_id_key unique (id, org_id),
  constraint alert_rules_org_id_name_key unique (org_id, name)
);
-- Evaluation reads the enabled rules of one organization.
create index alert_rules_org_id_enabled_idx on public.alert_rules (org_id) where enabled;
create trigger alert_rules_touch_updated_at
  before update on public.alert_rules
  for each row execute function private.touch_updated_at();
comment on column public.alert_rules.filter is 'The shared device filter (features/devices/filters deviceFilterSchema): the devices the rule watches, exactly as the device list shows them.';
comment on column public.alert_rules.condition is 'Kind-specific condition (features/alerts/schemas alertConditionSchema), validated by the service.';
comment on column public.alert_rules.for_seconds is 'How long the condition must hold before a pending alert fires (derived from the condition''s forSeconds).';
comment on column public.alert_rules.snoozed_until is 'Until then the rule''s alerts are tracked but not notified.';
comment on column public.alert_rules.channel_ids is 'notification_channels of the same organization (checked by the service; no FK across features).';

-- Alert instances ----------------------------------------------------------------------------------
create table public.alerts (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  rule_id uuid not null,
  subject_key text not null constraint alerts_subject_key_length check (char_length(subject_key) <= 200),
  device_id uuid,
  state public.alert_state not null default 'pending',
  severity public.alert_severity not null,
  condition_since timestamptz not null,
  fired_at timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by uuid references auth.users (id) on delete set null,
  resolved_at timestamptz,
  last_value double precision,
  last_evaluated_at timestamptz not null,
  clear_since timestamptz,
  flapping boolean not null default false,
  notified boolean not null default false,
  resolved_notified boolean not null default false,
  summary text not null constraint alerts_summary_length check (char_length(summary) <= 500),
  details jsonb not null default '{}'::jsonb constraint alerts_details_object check (jsonb_typeof(details) = 'object'),
  created_at timestamptz not null default now(),
  constraint alerts_rule_fkey foreign key (rule_id, org_id) references public.alert_rules (id, org_id) on delete cascade,
  constraint alerts_device_fkey foreign key (device_id, org_id) references public.devices (id, org_id) on delete cascade,
  constraint alerts_fired_consistent check ((state = 'pending') = (fired_at is null)),
  constraint alerts_resolved_consistent check ((state = 'resolved') = (resolved_at is not null))
);
-- Deduplication: a rule and subject have at most one open instance.
create unique index alerts_one_open_key on public.alerts (rule_id, subject_key) where state <> 'resolved';
-- The alerts page (newest first, by state), the bell and the overview counts.
create index alerts_org_id_created_idx on public.alerts (org_id, created_at desc, id desc);
create index alerts_org_id_open_idx on public.alerts (org_id, state, severity) where state <> 'resolved';
-- Alerts of one device (device page, "has open alert" filter); the flap guard's recent instances.
create index alerts_org_id_device_idx on public.alerts (org_id, device_id, created_at desc) where device_id is not null;
create index alerts_rule_subject_resolved_idx on public.alerts (rule_id, subject_key, resolved_at desc) where state = 'resolved';
-- Evaluation's small working sets: instances waiting out their duration, and firing ones not yet notified.
create index alerts_rule_pending_idx on public.alerts (rule_id, condition_since) where state = 'pending';
create index alerts_rule_unnotified_idx on public.alerts (rule_id) where state = 'firing' and not notified;
create index alerts_rule_unnotified_resolution_idx on public.alerts (rule_id) where state = 'resolved' and notified and not resolved_notified;
comment on column public.alerts.subject_key is 'What the instance is about: the device id, "fleet", "job:<ota_jobs.id>" or "integration:<id>".';
comment on column public.alerts.condition_since is 'When the condition was first seen true for this instance (pending until it held for the rule''s for_seconds).';
comment on column public.alerts.last_evaluated_at is 'When an evaluation last changed this instance (a steady open alert is not rewritten every cycle).';
comment on column public.alerts.clear_since is 'A flapping instance is held firing until its condition stayed clear for the flap window, counted from here.';
comment on column public.alerts.flapping is 'Fired and resolved too often recently: held open instead of resolving at each oscillation.';
comment on column public.alerts.notified is 'A fired event was handed to notifications (false while the rule or the device is snoozed).';
comment on column public.alerts.resolved_notified is 'The resolution was handed to notifications (only for alerts whose firing was).';

-- Per-device snoozes -------------------------------------------------------------------------------
create table public.alert_device_snoozes (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  rule_id uuid not null,
  device_id uuid not null,
  until timestamptz not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint alert_device_snoozes_rule_fkey foreign key (rule_id, org_id) references public.alert_rules (id, org_id) on delete cascade,
  constraint alert_device_snoozes_device_fkey foreign key (device_id, org_id) references public.devices (id, org_id) on delete cascade,
  constraint alert_device_snoozes_rule_device_key unique (rule_id, device_id)
);
create index alert_device_snoozes_org_id_idx on public.alert_device_snoozes (org_id, rule_id, until);

-- The bell's read mark -----------------------------------------------------------------------------
create table public.alert_reads (
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  read_at timestamptz not null default now(),
  primary key (org_id, user_id)
);
comment on table public.alert_reads is 'When each member last opened the bell: alerts fired after it count as unread.';

-- Grants -------------------------------------------------------------------------------------------
-- Members read (RLS decides which rows); only the service role writes.
revoke all on table public.alert_rules, public.alerts, public.alert_device_snoozes, public.alert_reads from anon, authenticated;
grant select on table public.alert_rules, public.alerts, public.alert_device_snoozes, public.alert_reads to authenticated;

-- RLS ----------------------------------------------------------------------------------------------
alter table public.alert_rules enable row level security;
alter table public.alerts enable row level security;
alter table public.alert_device_snoozes enable row level security;
alter table public.alert_reads enable row level security;

-- Members see their organizations' rules, alerts and snoozes.
create policy alert_rules_select_member on public.alert_rules
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
create policy alerts_select_member on public.alerts
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
create policy alert_device_snoozes_select_member on public.alert_device_snoozes
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
-- A member sees only their own read mark.
create policy alert_reads_select_own on public.alert_reads
  for select to authenticated using (user_id = (select auth.uid()) and (select private.has_org_role(org_id, 'viewer')));
