-- Anomaly rules (issue 12): a per-(rule, device) baseline learned from the device's own history,
-- refreshed set-based by the evaluation (a bounded batch of the stalest each time) and read by every
-- evaluation to score only the newest points. Service-only: the worker writes and reads it; members
-- see the outcome as alerts, never the baseline itself.

create table public.alert_anomaly_baselines (
  org_id uuid not null references public.organizations (id) on delete cascade,
  rule_id uuid not null,
  device_id uuid not null,
  metric_key text not null,
  source text not null constraint alert_anomaly_baselines_source_check check (source in ('telemetry', 'shadow_history')),
  points integer not null,
  level double precision,
  scale double precision constraint alert_anomaly_baselines_scale_positive check (scale > 0),
  daily_shape double precision[] constraint alert_anomaly_baselines_daily_shape_24 check (daily_shape is null or cardinality(daily_shape) = 24),
  noise double precision,
  interval_seconds double precision,
  stuck_samples integer,
  history_from timestamptz,
  history_to timestamptz,
  refreshed_at timestamptz not null,
  constraint alert_anomaly_baselines_learned check ((level is null) = (scale is null)),
  primary key (rule_id, device_id),
  constraint alert_anomaly_baselines_rule_fkey foreign key (rule_id, org_id) references public.alert_rules (id, org_id) on delete cascade,
  constraint alert_anomaly_baselines_device_fkey foreign key (device_id, org_id) references public.devices (id, org_id) on delete cascade
);
-- The refresh picks the stalest baselines of a rule.
create index alert_anomaly_baselines_rule_refreshed_idx on public.alert_anomaly_baselines (org_id, rule_id, refreshed_at);
create index alert_anomaly_baselines_device_idx on public.alert_anomaly_baselines (device_id);

comment on table public.alert_anomaly_baselines is 'Learned band per anomaly rule and device (robust median and scale, daily cycle); written only by alert evaluation.';
comment on column public.alert_anomaly_baselines.metric_key is 'The rule metric the baseline was learned for; a changed rule metric makes the row stale.';
comment on column public.alert_anomaly_baselines.points is 'Raw points of the last day the level and spread were learned from.';
comment on column public.alert_anomaly_baselines.level is 'Null while the device has too little history (the row then only marks when it was last tried). Otherwise the median of the last day of history with the daily cycle removed.';
comment on column public.alert_anomaly_baselines.scale is 'Robust spread: max of the scaled MAD, the successive-difference noise and a floor (the detector''s rule).';
comment on column public.alert_anomaly_baselines.daily_shape is 'Hour-of-day offsets from the level (24 values, UTC hours), learned from up to a week of hourly means when at least three days exist and the cycle explains the last day; null without a cycle.';
comment on column public.alert_anomaly_baselines.noise is 'Successive-difference noise; 5 % of it is the tolerance of a stuck (repeated) value.';
comment on column public.alert_anomaly_baselines.interval_seconds is 'Median time between points: the recent window is at least eight of them (and an hour).';
comment on column public.alert_anomaly_baselines.stuck_samples is 'A run of equal values this long is a stuck sensor: at least 10 and three times the longest run in the history.';
comment on column public.alert_anomaly_baselines.history_from is 'First point the device has for this metric (all history): the minimum-history check.';

revoke all on table public.alert_anomaly_baselines from anon, authenticated;
grant all on table public.alert_anomaly_baselines to service_role;
-- RLS on and no policy: nobody but the service role (which bypasses RLS) reads or writes.
alter table public.alert_anomaly_baselines enable row level security;

