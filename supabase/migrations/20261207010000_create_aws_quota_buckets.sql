-- One token bucket per integration and AWS API, shared by every process that calls AWS for the
-- integration (worker syncs, bulk operations, the web app's interactive calls), so together they
-- stay within integrations.sync_budget × AWS's default rate. Service-only.
create table public.aws_quota_buckets (
  integration_id uuid not null references public.integrations (id) on delete cascade,
  api text not null,
  tokens double precision not null,
  refilled_at timestamptz not null,
  primary key (integration_id, api)
);

comment on table public.aws_quota_buckets is 'Shared AWS request budget per (integration, API); written only through public.lend_aws_tokens.';
comment on column public.aws_quota_buckets.tokens is 'Tokens left at refilled_at; negative when lent ahead (callers wait for them).';

alter table public.aws_quota_buckets enable row level security;
revoke all on table public.aws_quota_buckets from anon, authenticated;
grant select, insert, update, delete on table public.aws_quota_buckets to service_role;

-- Lends p_count tokens of a bucket refilling at p_rate per second (burst: one second's worth) and
-- returns the tokens it held before, after refilling: token k of the loan is due (k - result) / p_rate
-- seconds from now. The row lock makes concurrent loans from several processes add up.
create or replace function public.lend_aws_tokens(p_integration_id uuid, p_api text, p_rate double precision, p_count integer)
returns double precision
language plpgsql
set search_path = ''
as $$
declare
  v_now timestamptz := clock_timestamp();
  v_capacity double precision := greatest(1, p_rate);
  v_before double precision;
begin
  if p_rate <= 0 or p_count < 1 then
    raise exception 'lend_aws_tokens: rate and count must be positive' using errcode = '22023';
  end if;
  insert into public.aws_quota_buckets as b (integration_id, api, tokens, refilled_at)
  values (p_integration_id, p_api, v_capacity - p_count, v_now)
  on conflict (integration_id, api) do update
    set tokens = least(v_capacity, b.tokens + greatest(0, extract(epoch from v_now - b.refilled_at)) * p_rate) - p_count,
        refilled_at = v_now
  returning tokens + p_count into v_before;
  return v_before;
end;
$$;
revoke all on function public.lend_aws_tokens(uuid, text, double precision, integer) from public, anon, authenticated;
grant execute on function public.lend_aws_tokens(uuid, text, double precision, integer) to service_role;
