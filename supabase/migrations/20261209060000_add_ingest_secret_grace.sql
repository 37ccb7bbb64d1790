-- Ingest secret rotation without a 401 window: the secret a rotation replaced stays valid for a
-- grace period, so rules (and messages in flight) still carrying it are accepted until it ends.

alter table public.integration_live_data
  add column previous_secret_hash bytea
    constraint integration_live_data_previous_secret_hash_length check (octet_length(previous_secret_hash) = 32),
  add column previous_secret_expires_at timestamptz,
  add constraint integration_live_data_previous_secret_expires check (previous_secret_hash is null or previous_secret_expires_at is not null);

comment on column public.integration_live_data.previous_secret_hash is 'SHA-256 of the secret the last rotation replaced; accepted until previous_secret_expires_at.';
comment on column public.integration_live_data.previous_secret_expires_at is 'End of the rotation grace period: after it only the current secret is accepted.';

-- Members see when the old secret stops working, never its hash.
grant select (previous_secret_expires_at) on public.integration_live_data to authenticated;
