-- OTA jobs launched and followed from Fleetline (design §6): the job document, who launched a job,
-- the per-job live refresh (rate-limited through the database so every app instance shares it), and
-- a timeline of what Fleetline observed. The sync keeps writing ota_jobs as before.

alter table public.ota_jobs
  add column document text constraint ota_jobs_document_length check (char_length(document) <= 32768),
  add column document_source text constraint ota_jobs_document_source_length check (char_length(document_source) <= 1350),
  add column created_by uuid references auth.users (id) on delete set null,
  add column first_seen_at timestamptz not null default now(),
  add column detail_refreshed_at timestamptz,
  add column refresh_error text constraint ota_jobs_refresh_error_length check (char_length(refresh_error) <= 1000);

comment on column public.ota_jobs.document is 'Job document (GetJobDocument), read once per job; null until a refresh fetched it or when the job uses documentSource.';
comment on column public.ota_jobs.document_source is 'S3 URL of the job document when the job was created with documentSource (DescribeJob).';
comment on column public.ota_jobs.created_by is 'The Fleetline user who launched the job; null for jobs found in AWS by the sync.';
comment on column public.ota_jobs.first_seen_at is 'When this row was first written (by the sync or by Fleetline creating the job).';
comment on column public.ota_jobs.detail_refreshed_at is 'Last claim of the per-job live refresh (DescribeJob + executions); the claim is the rate limit.';
comment on column public.ota_jobs.refresh_error is 'AWS error of the last live refresh (name and message), cleared by the next successful one.';

-- Timeline ------------------------------------------------------------------------------------------
create table public.ota_job_events (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  ota_job_id uuid not null,
  kind text not null constraint ota_job_events_kind_known check (kind in ('created', 'cancel_requested', 'status_changed')),
  from_status text,
  to_status text,
  actor_id uuid references auth.users (id) on delete set null,
  details jsonb not null default '{}'::jsonb constraint ota_job_events_details_object check (jsonb_typeof(details) = 'object'),
  occurred_at timestamptz not null default now(),
  constraint ota_job_events_job_fkey foreign key (ota_job_id, org_id)
    references public.ota_jobs (id, org_id) on delete cascade
);
create index ota_job_events_org_id_job_idx on public.ota_job_events (org_id, ota_job_id, occurred_at);
comment on table public.ota_job_events is 'What Fleetline saw happen to a job: launched from Fleetline, cancel requested (with force or not), job status changes as observed by a sync or live refresh.';
comment on column public.ota_job_events.occurred_at is 'When Fleetline observed or caused the event (AWS reports no history of status changes).';
comment on column public.ota_job_events.details is 'cancel_requested: {force, reasonCode, comment}; status_changed: {comment, reasonCode, forceCanceled}. Never secrets.';

revoke all on table public.ota_job_events from anon, authenticated;
grant select on table public.ota_job_events to authenticated;
alter table public.ota_job_events enable row level security;
-- Members see the timeline of their organization's jobs; only the service role and triggers write.
create policy ota_job_events_select_member on public.ota_job_events
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));

-- Job status writes ---------------------------------------------------------------------------------

-- A sync and a live refresh can race: an answer older than the stored one (by AWS lastUpdatedAt)
-- must not move the status back, e.g. a listing taken before a cancel landing after it.
create or replace function private.ota_jobs_keep_newer_status()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.last_updated_at_aws is not null and new.last_updated_at_aws is not null
     and new.last_updated_at_aws < old.last_updated_at_aws then
    new.status := old.status;
    new.last_updated_at_aws := old.last_updated_at_aws;
    new.completed_at_aws := old.completed_at_aws;
  end if;
  return new;
end;
$$;
create trigger ota_jobs_keep_newer_status
  before update on public.ota_jobs
  for each row execute function private.ota_jobs_keep_newer_status();

-- Every observed status change lands on the timeline, whichever path wrote it.
create or replace function private.ota_jobs_record_status_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.ota_job_events (org_id, ota_job_id, kind, from_status, to_status, details)
  values (new.org_id, new.id, 'status_changed', old.status, new.status,
          jsonb_strip_nulls(jsonb_build_object('comment', new.comment, 'reasonCode', new.reason_code, 'forceCanceled', new.force_canceled)));
  return new;
end;
$$;
create trigger ota_jobs_record_status_change
  after update of status on public.ota_jobs
  for each row when (old.status is distinct from new.status)
  execute function private.ota_jobs_record_status_change();

-- A sync removes jobs missing from its ListJobs answer. A job Fleetline created after that listing
-- was taken is missing only because the listing predates it, so its row is kept for the next sync.
create or replace function private.ota_jobs_keep_newer_than_listing()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from public.integrations i where i.id = old.integration_id)
     and exists (
       select 1 from public.sync_runs r
       where r.integration_id = old.integration_id and r.status = 'running' and r.started_at <= old.first_seen_at) then
    return null;
  end if;
  return old;
end;
$$;
create trigger ota_jobs_keep_newer_than_listing
  before delete on public.ota_jobs
  for each row execute function private.ota_jobs_keep_newer_than_listing();

revoke all on function private.ota_jobs_keep_newer_status() from public;
revoke all on function private.ota_jobs_record_status_change() from public;
revoke all on function private.ota_jobs_keep_newer_than_listing() from public;
