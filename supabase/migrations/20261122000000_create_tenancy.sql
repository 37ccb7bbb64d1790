-- Tenancy: organizations, memberships with roles, invitations and the audit log.
-- Every tenant table carries org_id, has RLS enabled and authorizes through private.has_org_role.

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Declared in ascending order of power so roles compare with >=.
create type public.org_role as enum ('viewer', 'operator', 'admin', 'owner');

-- Organizations ----------------------------------------------------------------------------------
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique
    constraint organizations_slug_format check (slug ~ '^[a-z][a-z0-9-]{1,38}[a-z0-9]$'),
  name text not null constraint organizations_name_length check (char_length(btrim(name)) between 1 and 80),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on column public.organizations.slug is 'URL segment of the workspace (/<slug>); lowercase, 3-40 chars.';

-- Memberships ------------------------------------------------------------------------------------
create table public.memberships (
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.org_role not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, user_id)
);
create index memberships_user_id_idx on public.memberships (user_id);

-- Invitations ------------------------------------------------------------------------------------
create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  email text not null constraint invitations_email_lower check (email = lower(email)),
  role public.org_role not null,
  token_hash text not null unique,
  invited_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null
);
comment on column public.invitations.token_hash is 'hex SHA-256 of the invite token; the token itself is only ever shown to the inviter.';
create index invitations_org_id_idx on public.invitations (org_id, created_at desc);

-- Audit log --------------------------------------------------------------------------------------
create table public.audit_log (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  actor_id uuid references auth.users (id) on delete set null,
  action text not null,
  target_type text not null,
  target_id text,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
comment on column public.audit_log.details is 'Context of the action; never holds secrets.';
create index audit_log_org_id_created_at_idx on public.audit_log (org_id, created_at desc);

-- Role-check helper: the single authority every policy goes through ----------------------------
create or replace function private.has_org_role(p_org_id uuid, p_min_role public.org_role)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.memberships m
    where m.org_id = p_org_id
      and m.user_id = (select auth.uid())
      and m.role >= p_min_role
  );
$$;
revoke all on function private.has_org_role(uuid, public.org_role) from public;
grant execute on function private.has_org_role(uuid, public.org_role) to authenticated, service_role;

-- RLS ------------------------------------------------------------------------------------------
alter table public.organizations enable row level security;
alter table public.memberships enable row level security;
alter table public.invitations enable row level security;
alter table public.audit_log enable row level security;

-- Members see their organizations.
create policy organizations_select_member on public.organizations
  for select to authenticated using ((select private.has_org_role(id, 'viewer')));
-- Admins rename; creation goes through public.create_organization.
create policy organizations_update_admin on public.organizations
  for update to authenticated
  using ((select private.has_org_role(id, 'admin')))
  with check ((select private.has_org_role(id, 'admin')));
-- Only owners delete an organization.
create policy organizations_delete_owner on public.organizations
  for delete to authenticated using ((select private.has_org_role(id, 'owner')));

-- Members see who else is in their organizations.
create policy memberships_select_member on public.memberships
  for select to authenticated using ((select private.has_org_role(org_id, 'viewer')));
-- Admins change roles; only owners touch owner rows or grant ownership.
create policy memberships_update_admin on public.memberships
  for update to authenticated
  using ((select private.has_org_role(org_id, 'admin')) and (role <> 'owner' or (select private.has_org_role(org_id, 'owner'))))
  with check ((select private.has_org_role(org_id, 'admin')) and (role <> 'owner' or (select private.has_org_role(org_id, 'owner'))));
-- Admins remove members (owners only remove owners); anyone may leave.
create policy memberships_delete_admin_or_self on public.memberships
  for delete to authenticated
  using (
    user_id = (select auth.uid())
    or ((select private.has_org_role(org_id, 'admin')) and (role <> 'owner' or (select private.has_org_role(org_id, 'owner'))))
  );

-- Admins see, create and revoke invitations; only owners invite owners.
create policy invitations_select_admin on public.invitations
  for select to authenticated using ((select private.has_org_role(org_id, 'admin')));
create policy invitations_insert_admin on public.invitations
  for insert to authenticated
  with check (
    (select private.has_org_role(org_id, 'admin'))
    and (role <> 'owner' or (select private.has_org_role(org_id, 'owner')))
    and invited_by = (select auth.uid())
  );
create policy invitations_delete_admin on public.invitations
  for delete to authenticated using ((select private.has_org_role(org_id, 'admin')));

-- Admins read the audit trail; members append rows as themselves; nobody edits history.
create policy audit_log_select_admin on public.audit_log
  for select to authenticated using ((select private.has_org_role(org_id, 'admin')));
create policy audit_log_insert_member on public.audit_log
  for insert to authenticated
  with check ((select private.has_org_role(org_id, 'viewer')) and actor_id = (select auth.uid()));

-- Rules that span rows ---------------------------------------------------------------------------

-- An organization always keeps at least one owner (unless the organization itself goes).
create or replace function private.keep_last_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner') then
    return coalesce(new, old);
  end if;
  if not exists (select 1 from public.organizations o where o.id = old.org_id) then
    return old; -- cascade from deleting the organization
  end if;
  if not exists (
    select 1 from public.memberships m
    where m.org_id = old.org_id and m.role = 'owner' and m.user_id <> old.user_id
  ) then
    raise exception 'The last owner of an organization can be neither removed nor demoted.'
      using errcode = 'P0001', hint = 'PRECONDITION';
  end if;
  return coalesce(new, old);
end;
$$;
create trigger memberships_keep_last_owner
  before update of role or delete on public.memberships
  for each row execute function private.keep_last_owner();

create or replace function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
create trigger memberships_touch_updated_at
  before update on public.memberships
  for each row execute function private.touch_updated_at();

-- Membership changes are audited by the database itself, whichever path made them.
create or replace function private.audit_membership_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_org uuid := coalesce(new.org_id, old.org_id);
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.organizations o where o.id = v_org) then
    return old;
  end if;
  insert into public.audit_log (org_id, actor_id, action, target_type, target_id, details)
  values (
    v_org,
    (select auth.uid()),
    case tg_op when 'INSERT' then 'member.added' when 'UPDATE' then 'member.role_changed' else 'member.removed' end,
    'user',
    coalesce(new.user_id, old.user_id)::text,
    case tg_op
      when 'INSERT' then jsonb_build_object('role', new.role)
      when 'UPDATE' then jsonb_build_object('from', old.role, 'to', new.role)
      else jsonb_build_object('role', old.role)
    end
  );
  return coalesce(new, old);
end;
$$;
create trigger memberships_audit
  after insert or delete or update of role on public.memberships
  for each row execute function private.audit_membership_change();

-- Entry points that must write across the RLS boundary -----------------------------------------

-- Creates an organization with the caller as its owner.
create or replace function public.create_organization(p_slug text, p_name text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_org uuid;
begin
  if v_user is null then
    raise exception 'Sign in to create an organization.' using errcode = 'P0001', hint = 'UNAUTHENTICATED';
  end if;
  insert into public.organizations (slug, name, created_by)
  values (p_slug, btrim(p_name), v_user)
  returning id into v_org;
  insert into public.memberships (org_id, user_id, role) values (v_org, v_user, 'owner');
  insert into public.audit_log (org_id, actor_id, action, target_type, target_id, details)
  values (v_org, v_user, 'org.created', 'organization', v_org::text, jsonb_build_object('slug', p_slug));
  return v_org;
end;
$$;
revoke all on function public.create_organization(text, text) from public, anon;
grant execute on function public.create_organization(text, text) to authenticated;

-- Accepts an invitation for the signed-in user whose email it was sent to.
create or replace function public.accept_invitation(p_token_hash text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_email text := lower((select auth.jwt() ->> 'email'));
  v_invite public.invitations%rowtype;
  v_slug text;
begin
  if v_user is null then
    raise exception 'Sign in to accept the invitation.' using errcode = 'P0001', hint = 'UNAUTHENTICATED';
  end if;
  select * into v_invite from public.invitations where token_hash = p_token_hash for update;
  if not found then
    raise exception 'This invitation link is not valid.' using errcode = 'P0001', hint = 'NOT_FOUND';
  end if;
  if v_invite.accepted_at is not null then
    raise exception 'This invitation has already been used.' using errcode = 'P0001', hint = 'PRECONDITION';
  end if;
  if v_invite.expires_at < now() then
    raise exception 'This invitation has expired; ask for a new one.' using errcode = 'P0001', hint = 'PRECONDITION';
  end if;
  if v_invite.email <> v_email then
    raise exception 'This invitation was sent to another email address.' using errcode = 'P0001', hint = 'FORBIDDEN';
  end if;
  if exists (select 1 from public.memberships where org_id = v_invite.org_id and user_id = v_user) then
    raise exception 'You are already a member of this organization.' using errcode = 'P0001', hint = 'CONFLICT';
  end if;
  update public.invitations set accepted_at = now(), accepted_by = v_user where id = v_invite.id;
  insert into public.memberships (org_id, user_id, role) values (v_invite.org_id, v_user, v_invite.role);
  select slug into v_slug from public.organizations where id = v_invite.org_id;
  return v_slug;
end;
$$;
revoke all on function public.accept_invitation(text) from public, anon;
grant execute on function public.accept_invitation(text) to authenticated;

-- What an invite link shows before acceptance (no membership yet, so RLS would hide it).
create or replace function public.describe_invitation(p_token_hash text)
returns table (org_name text, org_slug text, email text, role public.org_role, expires_at timestamptz, accepted boolean)
language sql
stable
security definer
set search_path = ''
as $$
  select o.name, o.slug, i.email, i.role, i.expires_at, i.accepted_at is not null
  from public.invitations i
  join public.organizations o on o.id = i.org_id
  where i.token_hash = p_token_hash;
$$;
revoke all on function public.describe_invitation(text) from public;
grant execute on function public.describe_invitation(text) to anon, authenticated;

-- Members of an organization with their emails (auth.users is not readable by the API roles).
create or replace function public.list_org_members(p_org_id uuid)
returns table (user_id uuid, email text, role public.org_role, joined_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select m.user_id, u.email::text, m.role, m.created_at
  from public.memberships m
  join auth.users u on u.id = m.user_id
  where m.org_id = p_org_id
    and (select private.has_org_role(p_org_id, 'viewer'))
  order by m.created_at;
$$;
revoke all on function public.list_org_members(uuid) from public, anon;
grant execute on function public.list_org_members(uuid) to authenticated;
