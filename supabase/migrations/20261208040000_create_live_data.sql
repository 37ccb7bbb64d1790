-- Live data from AWS IoT Rules (issue 13, design §10): per integration, an ingest endpoint guarded by
-- a secret header, a topic rule destination Fleetline confirms, and two rules (telemetry, presence).
-- Only the server writes these tables (service role); members read what the integration page shows,
-- never the secret's hash or the destination's confirmation token.

create table public.integration_live_data (
  integration_id uuid primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  enabled boolean not null default false,
  secret_hash bytea constraint integration_live_data_secret_hash_length check (octet_length(secret_hash) = 32),
  secret_hint text constraint integration_live_data_secret_hint_length check (char_length(secret_hint) <= 16),
  secret_rotated_at timestamptz,
  topic_filter text not null default 'dt/+/telemetry'
    constraint integration_live_data_topic_filter_format check (topic_filter ~ '^[A-Za-z0-9_/+#$-]+$' and char_length(topic_filter) <= 256),
  destination_arn text constraint integration_live_data_destination_arn_format check (destination_arn ~ '^arn:aws[a-z-]*:iot:'),
  destination_status text constraint integration_live_data_destination_status_known
    check (destination_status in ('IN_PROGRESS', 'ENABLED', 'DISABLED', 'ERROR', 'DELETING')),
  destination_confirmed_at timestamptz,
  confirmation_token text constraint integration_live_data_confirmation_token_length check (char_length(confirmation_token) <= 2048),
  telemetry_rule_name text,
  telemetry_rule_status text constraint integration_live_data_telemetry_rule_status_known
    check (telemetry_rule_status in ('ENABLED', 'DISABLED', 'MISSING', 'ERROR')),
  presence_rule_name text,
  presence_rule_status text constraint integration_live_data_presence_rule_status_known
    check (presence_rule_status in ('ENABLED', 'DISABLED', 'MISSING', 'ERROR')),
  last_error text constraint integration_live_data_last_error_length check (char_length(last_error) <= 2000),
  last_message_at timestamptz,
  last_presence_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint integration_live_data_integration_fkey foreign key (integration_id, org_id)
    references public.integrations (id, org_id) on delete cascade,
  constraint integration_live_data_enabled_has_secret check (not enabled or secret_hash is not null)
);
create index integration_live_data_org_id_idx on public.integration_live_data (org_id);

comment on table public.integration_live_data is 'Live-data set-up of one integration: ingest secret (hash only), topic rule destination and the telemetry and presence rules.';
comment on column public.integration_live_data.secret_hash is 'SHA-256 of the ingest secret (256 random bits, shown once); the ingest compares hashes in constant time.';
comment on column public.integration_live_data.secret_hint is 'Last characters of the secret, so an admin can tell which one a rule carries.';
comment on column public.integration_live_data.topic_filter is 'MQTT topic filter of the telemetry rule; the thing name is topic(2).';
comment on column public.integration_live_data.destination_status is 'AWS topic rule destination status: IN_PROGRESS until confirmed, then ENABLED; ERROR when confirmation failed.';
comment on column public.integration_live_data.confirmation_token is 'Token of the last DestinationConfirmation message; kept until ConfirmTopicRuleDestination succeeds.';
comment on column public.integration_live_data.last_message_at is 'Last accepted ingest request (updated at most every few seconds).';
comment on column public.integration_live_data.last_presence_at is 'Last presence (lifecycle) event applied.';

-- Counters of rejected messages per reason (validation failures), shown on the integration page.
create table public.ingest_rejections (
  org_id uuid not null references public.organizations (id) on delete cascade,
  integration_id uuid not null,
  reason text not null constraint ingest_rejections_reason_format check (reason ~ '^[a-z_]{1,64}$'),
  count bigint not null default 0,
  last_at timestamptz not null default now(),
  primary key (integration_id, reason),
  constraint ingest_rejections_integration_fkey foreign key (integration_id, org_id)
    references public.integrations (id, org_id) on delete cascade
);
create index ingest_rejections_org_id_idx on public.ingest_rejections (org_id, integration_id);
comment on column public.ingest_rejections.reason is 'Why messages were refused: unknown_device, bad_metric_name, bad_value, too_many_metrics, stale_timestamp, …';

-- Presence events and index data both set connectivity; the newer one wins (see sync/writer.ts).
alter table public.devices add column presence_at timestamptz;
comment on column public.devices.presence_at is 'Time of the last presence (connect/disconnect) event applied; a sync keeps connectivity when this is newer than the index''s.';

-- Grants -------------------------------------------------------------------------------------------
revoke all on table public.integration_live_data, public.ingest_rejections from anon, authenticated;
grant all on table public.integration_live_data, public.ingest_rejections to service_role;
-- Every column but the secret's hash and the confirmation token.
grant select (
  integration_id, org_id, enabled, secret_hint, secret_rotated_at, topic_filter, destination_arn, destination_status,
  destination_confirmed_at, telemetry_rule_name, telemetry_rule_status, presence_rule_name, presence_rule_status,
  last_error, last_message_at, last_presence_at, created_at, updated_at
) on public.integration_live_data to authenticated;
grant select on table public.ingest_rejections to authenticated;

-- RLS ----------------------------------------------------------------------------------------------
alter table public.integration_live_data enable row level security;
alter table public.ingest_rejections enable row level security;

-- Members see their organizations' live-data state, as they see the integration.
create policy integration_live_data_select_member on public.integration_live_data
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
-- Members see the rejection counters of their organizations' integrations.
create policy ingest_rejections_select_member on public.ingest_rejections
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
