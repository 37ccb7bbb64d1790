-- A member's pending invitations go when that member may no longer send them: on removal (or
-- leaving, or account deletion), on a demotion below admin, and for owner invitations on a
-- demotion below owner. Done by the database so every path (app, direct SQL) gets it.

create or replace function private.revoke_invitations_of_former_inviter()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reason text;
begin
  if tg_op = 'DELETE' then
    if not exists (select 1 from public.organizations o where o.id = old.org_id) then
      return old; -- cascade from deleting the organization: its invitations go with it
    end if;
    v_reason := 'inviter_removed';
  elsif new.role >= old.role or new.role = 'owner' then
    return new; -- not a demotion, or still allowed to send everything
  else
    v_reason := 'inviter_demoted';
  end if;

  with revoked as (
    delete from public.invitations i
    where i.org_id = old.org_id
      and i.invited_by = old.user_id
      and i.accepted_at is null
      -- A demoted owner who stays admin keeps the invitations an admin may send.
      and (tg_op = 'DELETE' or new.role < 'admin' or i.role = 'owner')
    returning i.id, i.email, i.role
  )
  insert into public.audit_log (org_id, actor_id, action, target_type, target_id, details)
  select old.org_id, (select auth.uid()), 'invitation.revoked', 'invitation', r.id::text,
         jsonb_build_object('email', r.email, 'role', r.role, 'reason', v_reason, 'inviter', old.user_id)
  from revoked r;

  return coalesce(new, old);
end;
$$;
revoke all on function private.revoke_invitations_of_former_inviter() from public;

create trigger memberships_revoke_invitations
  after delete or update of role on public.memberships
  for each row execute function private.revoke_invitations_of_former_inviter();

-- Deleting the inviter's account nulls invited_by (on delete set null) before the membership's
-- trigger can match it, so a pending invitation that loses its inviter is revoked here.
create or replace function private.revoke_orphaned_invitation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.invitations where id = new.id;
  insert into public.audit_log (org_id, actor_id, action, target_type, target_id, details)
  values (new.org_id, (select auth.uid()), 'invitation.revoked', 'invitation', new.id::text,
          jsonb_build_object('email', new.email, 'role', new.role, 'reason', 'inviter_removed', 'inviter', old.invited_by));
  return null;
end;
$$;
revoke all on function private.revoke_orphaned_invitation() from public;

create trigger invitations_revoke_orphaned
  after update of invited_by on public.invitations
  for each row
  when (old.invited_by is not null and new.invited_by is null and new.accepted_at is null)
  execute function private.revoke_orphaned_invitation();

comment on column public.invitations.invited_by is
  'Member who sent the invitation; their pending invitations are revoked when they are removed, lose the right to invite or delete their account.';
