import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { ChannelControls } from '@/features/notifications/components/channel-controls';
import { ChannelReportForm } from '@/features/notifications/components/channel-report-form';
import { ChannelSettingsForm } from '@/features/notifications/components/channel-settings-form';
import { ChannelTarget } from '@/features/notifications/components/channel-target';
import { DeleteChannel } from '@/features/notifications/components/delete-channel';
import { DeliveryLog } from '@/features/notifications/components/delivery-log';
import { CHANNEL_KIND_LABELS, reportScheduleText } from '@/features/notifications/components/labels';
import { RotateSecret } from '@/features/notifications/components/rotate-secret';
import { getChannel, listDeliveries } from '@/features/notifications/queries';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole, ROLE_LABELS } from '@/lib/roles';

export const metadata: Metadata = { title: 'Notification channel' };

const PAGE_SIZE = 25;
// The log's keyset cursor in the URL: `<created_at with microseconds>_<id>`; anything else is page one.
const cursorSchema = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z_[0-9a-f-]{36}$/i)
  .transform((value) => {
    const [createdAt, id] = value.split('_') as [string, string];
    return { createdAt, id };
  })
  .pipe(z.object({ createdAt: z.iso.datetime(), id: z.uuid() }));

export default async function NotificationChannelPage({ params, searchParams }: {
  params: Promise<{ orgSlug: string; channelId: string }>;
  searchParams: Promise<{ before?: string | string[] }>;
}) {
  const { orgSlug, channelId } = await params;
  if (!z.uuid().safeParse(channelId).success) notFound();
  const { before } = await searchParams;
  const cursor = cursorSchema.safeParse(before);
  const { user, org, role } = await loadWorkspace(orgSlug);
  const data = await asUser(user.claims, async (db) => {
    const channel = await getChannel(db, org.id, channelId);
    if (!channel) return null;
    const log = await listDeliveries(db, { orgId: org.id, channelId, cursor: cursor.success ? cursor.data : null, limit: PAGE_SIZE });
    return { channel, log };
  });
  if (!data) notFound();
  const { channel, log } = data;
  const isAdmin = hasRole(role, 'admin');
  const here = paths.notificationChannel(org.slug, channel.id);

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={paths.notifications(org.slug)} className="text-ink-muted hover:text-ink hover:underline">
          ← Notifications
        </Link>
      </p>
      <PageHeader
        title={channel.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            {channel.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge>}
            {CHANNEL_KIND_LABELS[channel.kind]} · <ChannelTarget channel={channel} /> · <span data-testid="report-schedule">Report: {reportScheduleText(channel.report)}</span>
          </span>
        }
        actions={isAdmin ? <ChannelControls orgSlug={org.slug} channelId={channel.id} kind={channel.kind} enabled={channel.enabled} /> : null}
      />
      <div className="space-y-6">
        {!isAdmin ? (
          <p className="text-sm text-ink-muted" data-testid="read-only-note">
            You are a {ROLE_LABELS[role].toLowerCase()} of {org.name}: this channel is read-only for you.
          </p>
        ) : null}
        <Card title="Delivery log" description="Every message handed to this channel, newest first, with its attempts.">
          {log.items.length === 0 ? (
            <p className="text-sm text-ink-muted">{cursor.success ? 'No older deliveries.' : 'Nothing sent yet.'}</p>
          ) : (
            <DeliveryLog items={log.items} />
          )}
          <div className="mt-3 flex justify-end gap-4 text-sm font-medium">
            {cursor.success ? <Link href={here} className="text-brand-700 hover:underline dark:text-brand-300">← Newest</Link> : null}
            {log.nextCursor ? (
              <Link href={`${here}?before=${encodeURIComponent(`${log.nextCursor.createdAt}_${log.nextCursor.id}`)}`} className="text-brand-700 hover:underline dark:text-brand-300">
                Older →
              </Link>
            ) : null}
          </div>
        </Card>
        {isAdmin ? (
          <>
            <Card title="Settings">
              <ChannelSettingsForm orgSlug={org.slug} channel={channel} />
            </Card>
            <Card title="Scheduled report" description="A daily or weekly fleet summary sent to this channel (times in UTC).">
              <ChannelReportForm orgSlug={org.slug} channel={channel} />
            </Card>
            {channel.kind === 'webhook' ? (
              <Card title="Signing secret" description="Fleetline signs every request with it (Fleetline-Signature); it is shown only when made.">
                <RotateSecret orgSlug={org.slug} channelId={channel.id} />
              </Card>
            ) : null}
            <Card title="Danger zone">
              <DeleteChannel orgSlug={org.slug} channelId={channel.id} name={channel.name} />
            </Card>
          </>
        ) : null}
      </div>
    </>
  );
}
