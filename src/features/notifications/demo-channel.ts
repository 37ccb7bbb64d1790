import type postgres from 'postgres';

/**
 * The demo organization's e-mail channel (issue 12): the demo owner's address (the local stack's
 * MailDev inbox receives it), with a daily fleet report. Written by the seed's own connection (RLS
 * bypassed), like the demo rules. Returns the channel id and whether this call created it.
 */
export const DEMO_CHANNEL_NAME = 'Demo inbox';

export async function ensureDemoChannel(
  sql: postgres.Sql,
  args: { orgId: string; createdBy: string; recipient: string; now?: Date },
): Promise<{ id: string; created: boolean }> {
  // The report hour is the current UTC hour and report_since stays null, so the first report (the
  // day that just ended at that hour) goes out at the worker's first report tick.
  const hour = (args.now ?? new Date()).getUTCHours();
  const [created] = await sql<{ id: string }[]>`
    insert into public.notification_channels (org_id, name, kind, email_recipients, report_frequency, report_hour, created_by)
    values (${args.orgId}, ${DEMO_CHANNEL_NAME}, 'email', ${[args.recipient]}, 'daily', ${hour}, ${args.createdBy})
    on conflict (org_id, lower(name)) do nothing
    returning id`;
  if (created) return { id: created.id, created: true };
  const [existing] = await sql<{ id: string }[]>`
    select id from public.notification_channels where org_id = ${args.orgId} and lower(name) = lower(${DEMO_CHANNEL_NAME})`;
  return { id: existing!.id, created: false };
}
