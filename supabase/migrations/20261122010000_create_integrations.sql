-- Integrations: a connected AWS account + region per organization (design §4, §5, §6).
-- The vault token in `credentials` is writable by admins but readable by no API role: it never
-- reaches the browser, and only the server (with the keyring) can decrypt it.

create type public.integration_auth_type as enum ('access_keys', 'assume_role');
create type public.integration_status as enum ('pending', 'active', 'paused', 'error');

create table public.integrations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  provider text not null default 'aws-iot' constraint integrations_provider_known check (provider = 'aws-iot'),
  name text not null
    constraint integrations_name_length check (char_length(name) between 1 and 80 and name = btrim(name)),
  region text not null
    constraint integrations_region_format check (region ~ '^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$'),
  auth_type public.integration_auth_type not null,
  credentials text
    constraint integrations_credentials_format
    check (credentials ~ '^v1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$'),
  credentials_hint text constraint integrations_credentials_hint_length check (char_length(credentials_hint) <= 16),
  role_arn text
    constraint integrations_role_arn_format
    check (role_arn ~ '^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$' and char_length(role_arn) <= 2048),
  external_id text
    constraint integrations_external_id_format check (external_id ~ '^[A-Za-z0-9+=,.@:/_-]+$' and char_length(external_id) between 2 and 1224),
  iot_data_endpoint text
    constraint integrations_iot_data_endpoint_length check (char_length(iot_data_endpoint) between 1 and 253),
  custom_endpoint text
    constraint integrations_custom_endpoint_format check (custom_endpoint ~ '^https?://' and char_length(custom_endpoint) <= 2048),
  timestream_database text
    constraint integrations_timestream_database_format check (timestream_database ~ '^[A-Za-z0-9_.-]+$' and char_length(timestream_database) between 3 and 256),
  timestream_table text
    constraint integrations_timestream_table_format check (timestream_table ~ '^[A-Za-z0-9_.-]+$' and char_length(timestream_table) between 3 and 256),
  sync_interval_seconds integer not null default 300
    constraint integrations_sync_interval_range check (sync_interval_seconds between 60 and 86400),
  sync_budget numeric(3, 2) not null default 0.5
    constraint integrations_sync_budget_range check (sync_budget between 0.05 and 1),
  status public.integration_status not null default 'pending',
  paused_reason text constraint integrations_paused_reason_length check (char_length(paused_reason) <= 500),
  capabilities jsonb not null default '{}'::jsonb
    constraint integrations_capabilities_object check (jsonb_typeof(capabilities) = 'object'),
  last_error text constraint integrations_last_error_length check (char_length(last_error) <= 2000),
  last_tested_at timestamptz,
  last_sync_at timestamptz,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Access keys carry a token and its hint; a role carries its ARN and External ID, never keys.
  constraint integrations_auth_consistent check (
    (auth_type = 'access_keys' and credentials is not null and credentials_hint is not null and role_arn is null)
    or (auth_type = 'assume_role' and credentials is null and credentials_hint is null and role_arn is not null and external_id is not null)
  ),
  constraint integrations_timestream_table_needs_database check (timestream_table is null or timestream_database is not null)
);

comment on column public.integrations.credentials is
  'Vault token v1.<keyId>.<iv>.<ciphertext>.<tag> (AES-256-GCM, AAD fleetline:integration:<org_id>:<id>; design §5). Null for assume_role. Not selectable by anon/authenticated; decrypted only on the server.';
comment on column public.integrations.credentials_hint is 'What the UI shows of the access key id, e.g. AKIA…WXYZ.';
comment on column public.integrations.external_id is
  'sts:ExternalId Fleetline generated for this integration; the customer''s role trust policy requires it (confused-deputy guard). Not a secret.';
comment on column public.integrations.capabilities is
  'Last preflight result per permission, e.g. {"registryRead": {"ok": true}, "timestreamQuery": {"ok": false, "error": "AccessDeniedException"}}.';
comment on column public.integrations.sync_budget is 'Share (0.05-1) of the AWS API quotas the sync may use for this integration.';

-- Names are unique per org regardless of case; the index also serves every org_id lookup.
create unique index integrations_org_id_name_key on public.integrations (org_id, lower(name));

create trigger integrations_touch_updated_at
  before update on public.integrations
  for each row execute function private.touch_updated_at();

-- Grants -----------------------------------------------------------------------------------------
-- Column privileges keep the token away from API roles; RLS below still decides which rows.
revoke all on table public.integrations from anon, authenticated;
grant select (
  id, org_id, provider, name, region, auth_type, credentials_hint, role_arn, external_id,
  iot_data_endpoint, custom_endpoint, timestream_database, timestream_table, sync_interval_seconds,
  sync_budget, status, paused_reason, capabilities, last_error, last_tested_at, last_sync_at,
  created_by, created_at, updated_at
) on public.integrations to authenticated;
-- The id is chosen by the server before encrypting (it is part of the AAD).
grant insert on public.integrations to authenticated;
-- An integration never changes organization or creator, which would also orphan its token.
grant update (
  provider, name, region, auth_type, credentials, credentials_hint, role_arn, external_id,
  iot_data_endpoint, custom_endpoint, timestream_database, timestream_table, sync_interval_seconds,
  sync_budget, status, paused_reason, capabilities, last_error, last_tested_at, last_sync_at, updated_at
) on public.integrations to authenticated;
grant delete on public.integrations to authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.integrations enable row level security;

-- Every member sees the integrations of their organizations (without the token).
create policy integrations_select_member on public.integrations
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
-- Admins connect AWS accounts, as themselves.
create policy integrations_insert_admin on public.integrations
  for insert to authenticated
  with check ((select private.has_org_role(org_id, 'admin')) and created_by = (select auth.uid()));
-- Admins edit, pause and rotate credentials.
create policy integrations_update_admin on public.integrations
  for update to authenticated
  using ((select private.has_org_role(org_id, 'admin')))
  with check ((select private.has_org_role(org_id, 'admin')));
-- Admins remove integrations (their cached data goes with them).
create policy integrations_delete_admin on public.integrations
  for delete to authenticated using ((select private.has_org_role(org_id, 'admin')));
