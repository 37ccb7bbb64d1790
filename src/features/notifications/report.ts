import type { Logger } from 'pino';
import { alertActivity, openAlertCounts } from '@/features/alerts/queries';
import { getFleetOverview } from '@/features/overview/queries';
import type { Tx } from '@/lib/db';
import { paths } from '@/lib/paths';
import type { ReportData } from './messages';
import { duePeriod, type ReportPeriod, type ReportSchedule } from './report-schedule';

/**
 * Scheduled fleet reports (issue 12): once a minute the worker asks which channels' report period
 * has ended without a report, builds each organization's numbers with the overview's and the
 * alerts' own queries, and records one `report` delivery per channel and period. The unique index
 * on (channel, period start) makes the insert the single decision: a retried tick or a second
 * worker inserts nothing, so nothing is sent twice. Sending is the ordinary delivery path.
 */
export type Db = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

export interface ReportDeps {
  /** asService: reports are written by the worker; every query filters by org_id. */
  db: Db;
  /** The configured public app URL (APP_URL): report links point at its overview. */
  appUrl: string;
  /** Queues the first attempt of each new delivery (the worker passes its own queue). */
  enqueue: (deliveryIds: string[]) => Promise<void>;
  now?: () => Date;
  log: Pick<Logger, 'info' | 'error'>;
}

interface ScheduledChannel {
  id: string;
  org_id: string;
  org_name: string;
  org_slug: string;
  report_frequency: ReportSchedule['frequency'];
  report_hour: number;
  report_weekday: number;
  report_since: Date | null;
}

interface DueReport {
  channel: ScheduledChannel;
  period: ReportPeriod;
}

/** Enabled channels with a report on, and the period each one is due for (if any). */
async function dueReports(db: Db, now: Date): Promise<DueReport[]> {
  const channels = await db((tx) => tx<ScheduledChannel[]>`
    select c.id, c.org_id, o.name as org_name, o.slug as org_slug, c.report_frequency, c.report_hour, c.report_weekday, c.report_since
    from public.notification_channels c
    join public.organizations o on o.id = c.org_id
    where c.enabled and c.report_frequency <> 'off'`);
  const due = channels.flatMap((channel) => {
    const schedule = { frequency: channel.report_frequency, hour: channel.report_hour, weekday: channel.report_weekday };
    const period = duePeriod(schedule, now, channel.report_since);
    return period ? [{ channel, period }] : [];
  });
  if (due.length === 0) return [];
  // Most ticks find every due report already recorded: skip those before computing any numbers.
  const candidates = due.map((d) => ({ channel_id: d.channel.id, period_start: d.period.start.toISOString() }));
  const recorded = await db((tx) => tx<{ channel_id: string }[]>`
    select r.channel_id from jsonb_to_recordset(${tx.json(candidates)}) as r(channel_id uuid, period_start timestamptz)
    where exists (
      select 1 from public.notification_deliveries d
      where d.kind = 'report' and d.channel_id = r.channel_id and d.report_period_start = r.period_start
    )`);
  const done = new Set(recorded.map((r) => r.channel_id));
  return due.filter((d) => !done.has(d.channel.id));
}

/**
 * One organization's report for one period: the overview's fleet health, firmware spread and OTA
 * progress (getFleetOverview, as the overview page shows them) and the alerts of the period.
 */
export async function buildReport(
  tx: Tx,
  args: { orgId: string; orgName: string; orgSlug: string; frequency: ReportSchedule['frequency']; period: ReportPeriod; appUrl: string },
): Promise<ReportData> {
  const [overview, activity, open] = await Promise.all([
    getFleetOverview(tx, args.orgId),
    alertActivity(tx, args.orgId, { from: args.period.start, to: args.period.end }),
    openAlertCounts(tx, args.orgId),
  ]);
  const { total, online, offline, stale, unknown } = overview.devices;
  return {
    frequency: args.frequency,
    periodStart: args.period.start.toISOString(),
    periodEnd: args.period.end.toISOString(),
    generatedAt: overview.generatedAt,
    org: { name: args.orgName, slug: args.orgSlug },
    overviewUrl: new URL(paths.org(args.orgSlug), args.appUrl).toString(),
    devices: { total, online, offline, stale, unknown },
    firmware: {
      items: overview.firmware.items.map((f) => ({ version: f.key, count: f.count })),
      other: overview.firmware.other?.count ?? 0,
      missing: overview.firmware.missing,
      total: overview.firmware.total,
    },
    otaJobs: {
      active: overview.otaJobs.active,
      items: overview.otaJobs.items.map((j) => ({
        jobId: j.jobId,
        status: j.status,
        total: j.total,
        succeeded: j.counts.succeeded,
        failed: j.counts.failed + j.counts.rejected + j.counts.timedOut,
        inProgress: j.counts.inProgress,
        queued: j.counts.queued,
      })),
    },
    alerts: { opened: activity.opened, resolved: activity.resolved, open: { critical: open.critical, warning: open.warning, info: open.info } },
  };
}

/**
 * Records and queues every report that is due; returns the new delivery ids. Safe to run from any
 * number of workers at once: a (channel, period) pair is inserted once, the others do nothing.
 */
export async function queueDueReports(deps: ReportDeps): Promise<{ deliveryIds: string[] }> {
  const now = deps.now?.() ?? new Date();
  const due = await dueReports(deps.db, now);
  const byOrg = new Map<string, DueReport[]>();
  for (const d of due) byOrg.set(d.channel.org_id, [...(byOrg.get(d.channel.org_id) ?? []), d]);
  const deliveryIds: string[] = [];
  for (const [orgId, reports] of byOrg) {
    // One short transaction per organization: its numbers and its deliveries; the sends come after.
    // A failing organization is logged and left to the next tick; the others still get theirs.
    const ids = await deps.db(async (tx) => {
      const built = new Map<string, ReportData>();
      const inserted: string[] = [];
      for (const { channel, period } of reports) {
        const key = `${channel.report_frequency}/${period.start.toISOString()}`;
        const report =
          built.get(key) ??
          (await buildReport(tx, { orgId, orgName: channel.org_name, orgSlug: channel.org_slug, frequency: channel.report_frequency, period, appUrl: deps.appUrl }));
        built.set(key, report);
        const rows = await tx<{ id: string }[]>`
          insert into public.notification_deliveries (org_id, channel_id, kind, payload, report_period_start, report_period_end, next_attempt_at)
          values (${orgId}, ${channel.id}, 'report', ${tx.json({ report } as never)}, ${period.start}, ${period.end}, now())
          on conflict (channel_id, report_period_start) where kind = 'report' do nothing
          returning id`;
        inserted.push(...rows.map((r) => r.id));
      }
      return inserted;
    }).catch((error: unknown) => {
      deps.log.error({ err: error, orgId }, 'fleet report failed');
      return [] as string[];
    });
    deliveryIds.push(...ids);
  }
  await deps.enqueue(deliveryIds);
  if (deliveryIds.length > 0) deps.log.info({ reports: deliveryIds.length }, 'queued scheduled fleet reports');
  return { deliveryIds };
}
