-- Grants that hold on their own (design §8.4): as if Supabase's Data API were exposed, a signed-in
-- user calling SQL as `authenticated` with their own JWT can do only what the app does as them, and
-- `anon` can do nothing. Hosted Supabase grants ALL on every new public table to anon and
-- authenticated by default (scripts/stack/bootstrap.sql mirrors that); RLS alone does not stop
-- TRUNCATE, TRIGGER, column rewrites of immutable columns, or rows the app would never write.
-- Writes only the server makes run as service_role (lib/service-role.ts), after the server's own
-- role and org checks. src/features/orgs/grants.int.test.ts keeps the allow-list below honest.

-- Nothing by default ------------------------------------------------------------------------------
-- Future objects the migration role creates in public get no API grants; each migration grants
-- what it needs (service_role keeps its defaults: the worker and server-only writes use it).
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
alter default privileges in schema public revoke all on functions from anon, authenticated;

revoke create on schema public from public, anon, authenticated;
revoke all on all tables in schema public from anon, authenticated;
revoke all on all sequences in schema public from anon, authenticated;
revoke all on all tables in schema private from anon, authenticated;
grant all on all tables in schema public to service_role;
grant all on all sequences in schema public to service_role;

-- What members read (RLS decides which rows) ----------------------------------------------------
grant select on table
  public.organizations, public.memberships, public.invitations, public.audit_log,
  public.thing_types, public.thing_groups, public.devices, public.device_shadow_history,
  public.device_commands, public.sync_runs, public.ota_jobs, public.ota_job_executions,
  public.ota_job_events, public.bulk_operations, public.bulk_operation_items
  to authenticated;
-- Every column but the vault token.
grant select (
  id, org_id, provider, name, region, auth_type, credentials_hint, role_arn, external_id,
  iot_data_endpoint, custom_endpoint, timestream_database, timestream_table, sync_interval_seconds,
  sync_budget, status, paused_reason, capabilities, last_error, last_tested_at, last_sync_at,
  created_by, created_at, updated_at
) on public.integrations to authenticated;
grant select on private.member_devices to authenticated;

-- What members write as themselves ----------------------------------------------------------------
-- Admins rename the organization; its slug, creator and creation time never change.
grant update (name) on public.organizations to authenticated;
-- Admins change roles and remove members, anyone leaves; rows are created only by
-- create_organization and accept_invitation.
grant update (role) on public.memberships to authenticated;
grant delete on public.memberships to authenticated;
-- Admins invite and revoke; acceptance (accepted_at, accepted_by) is accept_invitation's.
grant insert (org_id, email, role, token_hash, invited_by, expires_at) on public.invitations to authenticated;
grant delete on public.invitations to authenticated;
-- Admins remove integrations. Creating and editing one is the server's, after a preflight: the
-- External ID, role ARN, endpoints, token, status and capabilities must be what Fleetline chose or saw.
grant delete on public.integrations to authenticated;
-- Operators ask for a cancellation; the worker owns every other column of an operation.
grant update (cancel_requested_at) on public.bulk_operations to authenticated;

-- Policies for writes that are now the server's -------------------------------------------------
-- Without a grant these never apply; dropping them leaves no rule that reads as a user's right.
drop policy organizations_delete_owner on public.organizations;
drop policy audit_log_insert_member on public.audit_log;
drop policy integrations_insert_admin on public.integrations;
drop policy integrations_update_admin on public.integrations;
drop policy device_commands_insert_operator on public.device_commands;
drop policy bulk_operations_insert_operator on public.bulk_operations;
drop policy bulk_operation_items_insert_operator on public.bulk_operation_items;

-- Admins invite for at most the app's invitation lifetime (members/schemas INVITATION_TTL_DAYS).
drop policy invitations_insert_admin on public.invitations;
create policy invitations_insert_admin on public.invitations
  for insert to authenticated
  with check (
    (select private.has_org_role(org_id, 'admin'))
    and (role <> 'owner' or (select private.has_org_role(org_id, 'owner')))
    and invited_by = (select auth.uid())
    and expires_at <= now() + interval '7 days'
  );

-- A cancellation is asked once, of an operation still queued or running, and never withdrawn.
drop policy bulk_operations_update_operator on public.bulk_operations;
create policy bulk_operations_update_operator on public.bulk_operations
  for update to authenticated
  using ((select private.has_org_role(org_id, 'operator')) and status in ('queued', 'running') and cancel_requested_at is null)
  with check ((select private.has_org_role(org_id, 'operator')) and cancel_requested_at is not null);

-- Functions -------------------------------------------------------------------------------------
-- Trigger functions run without an EXECUTE check; nobody needs to call them (PUBLIC had EXECUTE).
revoke all on function private.touch_updated_at() from public, anon, authenticated;
revoke all on function private.keep_last_owner() from public, anon, authenticated;
revoke all on function private.audit_membership_change() from public, anon, authenticated;
-- The invite page reads its preview through the service role; no API role needs it.
revoke all on function public.describe_invitation(text) from public, anon, authenticated;
grant execute on function public.describe_invitation(text) to service_role;
-- Signed-in entry points stay authenticated-only (re-stated: anon must never hold them).
revoke all on function public.create_organization(text, text), public.accept_invitation(text),
  public.list_org_members(uuid) from public, anon;
