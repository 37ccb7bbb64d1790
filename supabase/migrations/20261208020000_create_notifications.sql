-- Notifications (design §9): channels an organization routes alerts to (e-mail recipients, or a
-- webhook whose signing secret is a vault token) and one delivery row per message handed to a channel.
-- Both tables are written by the server only (admins through the app, the worker as service_role):
-- the server encrypts the secret with the row's id in the AAD and validates the webhook URL.
-- Members read channels without the secret or the URL (a Slack URL is itself a credential), and
-- read the delivery log of their organization.

create type public.notification_channel_kind as enum ('email', 'webhook');
create type public.notification_webhook_format as enum ('json', 'slack');
create type public.notification_delivery_kind as enum ('alert', 'digest', 'test', 'report');
create type public.notification_delivery_status as enum ('pending', 'sending', 'delivered', 'failed', 'gave_up');

create table public.notification_channels (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null
    constraint notification_channels_name_length check (char_length(name) between 1 and 80 and name = btrim(name)),
  kind public.notification_channel_kind not null,
  email_recipients text[]
    constraint notification_channels_recipients_count check (cardinality(email_recipients) between 1 and 20),
  webhook_url text
    constraint notification_channels_webhook_url_format check (webhook_url ~ '^https?://' and char_length(webhook_url) <= 2048),
  webhook_url_hint text constraint notification_channels_webhook_url_hint_length check (char_length(webhook_url_hint) <= 300),
  webhook_secret text
    constraint notification_channels_webhook_secret_format
    check (webhook_secret ~ '^v1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$'),
  webhook_format public.notification_webhook_format not null default 'json',
  enabled boolean not null default true,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- An e-mail channel has recipients and nothing of a webhook; a webhook has its URL and secret.
  constraint notification_channels_kind_consistent check (
    (kind = 'email' and email_recipients is not null and webhook_url is null and webhook_secret is null)
    or (kind = 'webhook' and email_recipients is null and webhook_url is not null and webhook_url_hint is not null and webhook_secret is not null)
  )
);

comment on column public.notification_channels.webhook_secret is
  'Vault token of the HMAC-SHA256 signing secret (AES-256-GCM, AAD fleetline:channel:<org_id>:<id>; design §5). Not selectable by anon/authenticated.';
comment on column public.notification_channels.webhook_url is
  'Where webhooks are POSTed (through the outbound-address guard at send time). Not selectable by API roles: chat-webhook URLs carry their own token.';
comment on column public.notification_channels.webhook_url_hint is 'What the UI shows of the URL: scheme and host, e.g. https://hooks.slack.com/….';

create unique index notification_channels_org_id_name_key on public.notification_channels (org_id, lower(name));

create trigger notification_channels_touch_updated_at
  before update on public.notification_channels
  for each row execute function private.touch_updated_at();

create table public.notification_deliveries (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  channel_id uuid not null references public.notification_channels (id) on delete cascade,
  -- The alert announced (alerts.id), kept without a foreign key: the delivery log outlives the alert,
  -- which goes with its rule.
  alert_id uuid,
  kind public.notification_delivery_kind not null,
  payload jsonb not null constraint notification_deliveries_payload_object check (jsonb_typeof(payload) = 'object'),
  status public.notification_delivery_status not null default 'pending',
  attempts integer not null default 0 constraint notification_deliveries_attempts_range check (attempts between 0 and 100),
  last_status_code integer,
  last_error text constraint notification_deliveries_last_error_length check (char_length(last_error) <= 300),
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);

comment on column public.notification_deliveries.payload is
  'What the message says (alert events, digest list, test text): never a secret, URL or recipient list.';
comment on column public.notification_deliveries.status is
  'pending (queued) → sending → delivered; failed = the last attempt failed and another is due at next_attempt_at; gave_up = final, last_error says why.';

-- The delivery log per channel, newest first; also serves every org_id lookup.
create index notification_deliveries_org_channel_created_idx on public.notification_deliveries (org_id, channel_id, created_at desc);
create index notification_deliveries_alert_idx on public.notification_deliveries (alert_id) where alert_id is not null;
create index notification_deliveries_due_idx on public.notification_deliveries (next_attempt_at) where status in ('pending', 'failed');

-- Grants -----------------------------------------------------------------------------------------
revoke all on table public.notification_channels, public.notification_deliveries from anon, authenticated;
-- Every column but the signing secret and the URL.
grant select (
  id, org_id, name, kind, email_recipients, webhook_url_hint, webhook_format, enabled, created_by, created_at, updated_at
) on public.notification_channels to authenticated;
grant select on public.notification_deliveries to authenticated;

-- RLS ------------------------------------------------------------------------------------------
alter table public.notification_channels enable row level security;
alter table public.notification_deliveries enable row level security;

-- Every member sees the channels of their organizations (rules name them), without secret or URL.
create policy notification_channels_select_member on public.notification_channels
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
-- Every member sees the delivery log of their organizations.
create policy notification_deliveries_select_member on public.notification_deliveries
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
