-- Scheduled fleet reports (issue 12): each notification channel may get a daily or weekly summary
-- of its organization's fleet. The schedule is in UTC (documented in the README): `report_hour`
-- is the hour of day the period ends, `report_weekday` (ISO, 1 = Monday … 7 = Sunday) the day a
-- weekly period ends. A report is one `notification_deliveries` row of kind `report`, keyed by
-- (channel, period start), so a retried tick or a second worker never records, or sends, it twice.

create type public.notification_report_frequency as enum ('off', 'daily', 'weekly');

alter table public.notification_channels
  add column report_frequency public.notification_report_frequency not null default 'off',
  add column report_hour smallint not null default 8
    constraint notification_channels_report_hour_range check (report_hour between 0 and 23),
  add column report_weekday smallint not null default 1
    constraint notification_channels_report_weekday_range check (report_weekday between 1 and 7),
  add column report_since timestamptz;

comment on column public.notification_channels.report_frequency is 'Scheduled fleet report: off, daily or weekly (periods end at report_hour UTC; weekly ones on report_weekday).';
comment on column public.notification_channels.report_hour is 'Hour of day (UTC, 0–23) at which a report period ends and its report is sent.';
comment on column public.notification_channels.report_weekday is 'ISO weekday (1 = Monday … 7 = Sunday, UTC) a weekly report period ends on; ignored for daily reports.';
comment on column public.notification_channels.report_since is
  'When the schedule was last changed: only periods ending after it are reported (null = the latest period is due at once, as the demo seeds it).';

alter table public.notification_deliveries
  add column report_period_start timestamptz,
  add column report_period_end timestamptz,
  -- A report names its period; nothing else does.
  add constraint notification_deliveries_report_period_consistent check (
    (kind = 'report') = (report_period_start is not null and report_period_end is not null)
    and (report_period_start is null or report_period_start < report_period_end)
  );

comment on column public.notification_deliveries.report_period_start is 'The period a report covers, [start, end); null for every other kind.';

-- Once per channel and period: the writer inserts with `on conflict do nothing`.
create unique index notification_deliveries_report_period_key
  on public.notification_deliveries (channel_id, report_period_start) where kind = 'report';

-- Members read the schedule like the channel's other settings (nothing secret in it).
grant select (report_frequency, report_hour, report_weekday, report_since) on public.notification_channels to authenticated;
