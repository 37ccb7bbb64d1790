-- Health guards of OTA jobs (issue 12): alert rules chosen when a job is launched. After each alert
-- evaluation the worker compares the share of devices that took the update with an open alert of a
-- guard rule against the share among devices still waiting, and stops the rollout once (cancel
-- without force) when the treated share is clearly higher. Members read; only the server writes.

create table public.ota_job_guards (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  ota_job_id uuid not null,
  rule_ids uuid[] not null constraint ota_job_guards_rule_count check (cardinality(rule_ids) between 1 and 5),
  min_treated integer not null default 10 constraint ota_job_guards_min_treated_range check (min_treated between 1 and 100000),
  margin_percent numeric(5, 2) not null default 10 constraint ota_job_guards_margin_range check (margin_percent between 0 and 100),
  confidence numeric(4, 3) not null default 0.95 constraint ota_job_guards_confidence_known check (confidence in (0.9, 0.95, 0.99)),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_checked_at timestamptz,
  last_check jsonb constraint ota_job_guards_last_check_object check (jsonb_typeof(last_check) = 'object'),
  tripped_at timestamptz,
  trip jsonb constraint ota_job_guards_trip_object check (jsonb_typeof(trip) = 'object'),
  trip_error text constraint ota_job_guards_trip_error_length check (char_length(trip_error) <= 1000),
  constraint ota_job_guards_job_fkey foreign key (ota_job_id, org_id) references public.ota_jobs (id, org_id) on delete cascade,
  constraint ota_job_guards_ota_job_id_key unique (ota_job_id)
);
-- The worker's check reads the guards of one organization that have not tripped yet.
create index ota_job_guards_org_id_watching_idx on public.ota_job_guards (org_id) where tripped_at is null;
comment on column public.ota_job_guards.rule_ids is 'alert_rules of the same organization watching devices (checked by the OTA service through the alerts feature; no FK across features).';
comment on column public.ota_job_guards.min_treated is 'No verdict before this many devices took the update (executions IN_PROGRESS or SUCCEEDED).';
comment on column public.ota_job_guards.margin_percent is 'The treated share must exceed the waiting share by at least this many percentage points.';
comment on column public.ota_job_guards.confidence is 'Confidence of the one-sided two-proportion z-test that the treated share is higher (0.9, 0.95 or 0.99).';
comment on column public.ota_job_guards.last_check is 'Shares per guard rule at the last check (features/ota/guard-decision GuardCheck), shown on the job page.';
comment on column public.ota_job_guards.tripped_at is 'Set once, when the guard claimed the stop (cleared again only if CancelJob failed); never trips twice.';
comment on column public.ota_job_guards.trip is 'Why the guard stopped the rollout: the tripping rules with both shares and counts.';

revoke all on table public.ota_job_guards from anon, authenticated;
grant select on table public.ota_job_guards to authenticated;
alter table public.ota_job_guards enable row level security;
-- Members see the guards of their organization's jobs; only the service role writes.
create policy ota_job_guards_select_member on public.ota_job_guards
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));

-- The timeline learns a new kind of entry: the guard stopped the rollout.
alter table public.ota_job_events drop constraint ota_job_events_kind_known;
alter table public.ota_job_events add constraint ota_job_events_kind_known
  check (kind in ('created', 'cancel_requested', 'status_changed', 'guard_tripped'));
comment on column public.ota_job_events.details is 'cancel_requested: {force, reasonCode, comment}; status_changed: {comment, reasonCode, forceCanceled}; guard_tripped: {rules: [{ruleId, ruleName, treated, waiting, ...}], summary}. Never secrets.';
