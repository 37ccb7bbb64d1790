-- Anomaly rules, round 2: each evaluation scores only the devices whose cached current value leaves
-- the hold band (plus those with an open alert); stuck sensors and slow drifts cannot be seen in one
-- value, so a full recent-points scan rotates through the rule's devices in bounded batches, one
-- pass at most every few minutes. This row per rule remembers where the pass is. Service-only, like
-- the baselines: written and read by alert evaluation alone.

create table public.alert_anomaly_scans (
  org_id uuid not null references public.organizations (id) on delete cascade,
  rule_id uuid not null primary key,
  -- Last device id scanned by the pass under way; null when no pass is under way.
  cursor_device_id uuid,
  pass_started_at timestamptz,
  last_full_scan_at timestamptz,
  constraint alert_anomaly_scans_rule_fkey foreign key (rule_id, org_id) references public.alert_rules (id, org_id) on delete cascade
);

comment on table public.alert_anomaly_scans is 'Per anomaly rule: progress of the rotating full scan (stuck / drift detection); written only by alert evaluation.';
comment on column public.alert_anomaly_scans.cursor_device_id is 'The pass under way continues after this device id (baselines in device-id order); null between passes.';
comment on column public.alert_anomaly_scans.last_full_scan_at is 'When the last complete pass over the rule''s devices ended; the next starts once it is older than the full-scan interval.';

revoke all on table public.alert_anomaly_scans from anon, authenticated;
grant all on table public.alert_anomaly_scans to service_role;
-- RLS on and no policy: nobody but the service role (which bypasses RLS) reads or writes.
alter table public.alert_anomaly_scans enable row level security;
