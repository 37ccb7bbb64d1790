-- Counters of the app's rate limits (src/lib/rate-limit), in the shape rate-limiter-flexible's
-- Postgres store reads and writes, so every app instance counts against the same rows.
-- Only the server's own connection touches it: no grants for anon or authenticated.
create table public.rate_limits (
  key varchar(255) primary key,
  points integer not null default 0,
  expire bigint
);
comment on table public.rate_limits is 'Rate-limit counters (rate-limiter-flexible RateLimiterPostgres store); service-only.';
comment on column public.rate_limits.key is '<limiter>:<subject>, e.g. sign-in-account:<sha-256 of the lower-cased e-mail>; never a raw e-mail.';
comment on column public.rate_limits.points is 'Points consumed in the current window (or the block marker while blocked).';
comment on column public.rate_limits.expire is 'End of the window or block, epoch milliseconds; expired rows are deleted periodically.';

-- The store deletes expired rows every few minutes.
create index rate_limits_expire_idx on public.rate_limits (expire);

alter table public.rate_limits enable row level security;
revoke all on table public.rate_limits from anon, authenticated;
