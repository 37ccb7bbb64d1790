import { randomBytes, randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { AlertEvent } from '@/features/alerts/events';
import { recordAudit } from '@/lib/audit';
import type { OrgContext, OrgScope } from '@/lib/context';
import { afterCommit, type Tx } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { jobQueue } from '@/lib/jobs/queue-client';
import { QUEUES } from '@/lib/jobs/queues';
import { classifyAddress, isAddressAllowed, outboundPolicyFromEnv, type OutboundPolicy } from '@/lib/net/outbound-guard';
import { hasRole } from '@/lib/roles';
import { asServiceWithin } from '@/lib/service-role';
import { encryptChannelSecret, type Keyring } from '@/lib/vault';
import { deliverNotification, webhookSchemeAllowed, type DeliveryDeps, type DeliveryOutcome } from './delivery';
import { alertEventData, digestPayload, type DeliveryPayload } from './messages';
import { getChannel, type ChannelDto } from './queries';
import type { ChannelRefInput, ChannelReportInput, CreateChannelInput, UpdateChannelInput } from './schemas';

/**
 * Notification channels and the entry point of alert notifications. Owners and admins manage
 * channels (they send fleet data out of Fleetline; checked here, by the action wrapper, and by the
 * grants: members cannot write the tables at all). The signing secret is generated here, encrypted
 * with the channel's id in the AAD, and shown once to the admin who created or rotated it.
 */
export type Db = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** More events than this for one channel in one call become one digest delivery. */
export const STORM_THRESHOLD = 10;

export interface ChannelDeps {
  keyring: Keyring;
  /** Defaults to the environment's; decides which literal addresses a URL may name. */
  policy?: OutboundPolicy;
  /** Defaults to process.env.NODE_ENV: production accepts https webhooks only. */
  production?: boolean;
}

function requireAdmin(ctx: Pick<OrgContext, 'role'>): void {
  if (!hasRole(ctx.role, 'admin')) throw new AppError('FORBIDDEN', 'Managing notification channels needs the admin role or higher.');
}

/** Early, friendly refusals; the outbound guard decides again at send time, after DNS. */
function checkWebhookUrl(url: string, deps: ChannelDeps): void {
  const parsed = new URL(url);
  const production = deps.production ?? process.env.NODE_ENV === 'production';
  if (!webhookSchemeAllowed(url, deps.policy ?? outboundPolicyFromEnv(), production)) throw new AppError('PRECONDITION', 'Webhook URLs must use https.', { url: ['Use an https:// URL.'] });
  const literal = classifyAddress(parsed.hostname) !== null;
  if (literal && !isAddressAllowed(parsed.hostname, deps.policy ?? outboundPolicyFromEnv())) {
    throw new AppError('PRECONDITION', 'This endpoint is not allowed.', { url: ['This address is not allowed.'] });
  }
}

/** What members may see of a URL: its scheme and host. */
export function urlHint(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}/…`.slice(0, 300);
}

function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function isNameConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint_name?: string } | null;
  return e?.code === '23505' && e.constraint_name === 'notification_channels_org_id_name_key';
}

function nameConflict(name: string): AppError {
  return new AppError('CONFLICT', `A channel named “${name}” already exists.`, { name: ['Another channel of this organization has this name.'] });
}

export interface ChannelWithSecret {
  channel: ChannelDto;
  /** Only right after creating or rotating a webhook channel; never readable again. */
  signingSecret: string | null;
}

export async function createChannel(ctx: OrgContext, input: CreateChannelInput, deps: ChannelDeps): Promise<ChannelWithSecret> {
  requireAdmin(ctx);
  const id = randomUUID();
  let secret: string | null = null;
  try {
    if (input.kind === 'email') {
      await asServiceWithin(ctx.db, () => ctx.db`
        insert into public.notification_channels (id, org_id, name, kind, email_recipients, created_by)
        values (${id}, ${ctx.org.id}, ${input.name}, 'email', ${input.recipients}, ${ctx.user.id})`);
    } else {
      checkWebhookUrl(input.url, deps);
      secret = newSigningSecret();
      const token = encryptChannelSecret(deps.keyring, { orgId: ctx.org.id, channelId: id }, secret);
      await asServiceWithin(ctx.db, () => ctx.db`
        insert into public.notification_channels (id, org_id, name, kind, webhook_url, webhook_url_hint, webhook_secret, webhook_format, created_by)
        values (${id}, ${ctx.org.id}, ${input.name}, 'webhook', ${input.url}, ${urlHint(input.url)}, ${token}, ${input.format}, ${ctx.user.id})`);
    }
  } catch (error) {
    if (isNameConflict(error)) throw nameConflict(input.name);
    throw error;
  }
  await recordAudit(ctx, 'notification_channel.create', { type: 'notification_channel', id }, {
    name: input.name,
    kind: input.kind,
    ...(input.kind === 'webhook' ? { format: input.format, host: new URL(input.url).host } : { recipients: input.recipients.length }),
  });
  const channel = await getChannel(ctx.db, ctx.org.id, id);
  return { channel: channel!, signingSecret: secret };
}

export async function updateChannel(ctx: OrgContext, input: UpdateChannelInput, deps: ChannelDeps): Promise<ChannelWithSecret> {
  requireAdmin(ctx);
  const current = await getChannel(ctx.db, ctx.org.id, input.channelId);
  if (!current) throw new AppError('NOT_FOUND', 'Channel not found.');
  const webhookOnly = input.url !== undefined || input.format !== undefined || input.rotateSecret;
  if (current.kind === 'email' && webhookOnly) throw new AppError('PRECONDITION', 'URL, format and secret belong to webhook channels.');
  if (current.kind === 'webhook' && input.recipients !== undefined) throw new AppError('PRECONDITION', 'Recipients belong to e-mail channels.');
  if (input.url !== undefined) checkWebhookUrl(input.url, deps);
  const secret = input.rotateSecret ? newSigningSecret() : null;
  const token = secret ? encryptChannelSecret(deps.keyring, { orgId: ctx.org.id, channelId: current.id }, secret) : null;
  try {
    await asServiceWithin(ctx.db, () => ctx.db`
      update public.notification_channels set
        name = coalesce(${input.name ?? null}, name),
        enabled = coalesce(${input.enabled ?? null}, enabled),
        email_recipients = coalesce(${input.recipients ?? null}::text[], email_recipients),
        webhook_url = coalesce(${input.url ?? null}, webhook_url),
        webhook_url_hint = coalesce(${input.url ? urlHint(input.url) : null}, webhook_url_hint),
        webhook_format = coalesce(${input.format ?? null}::public.notification_webhook_format, webhook_format),
        webhook_secret = coalesce(${token}, webhook_secret)
      where org_id = ${ctx.org.id} and id = ${current.id}`);
  } catch (error) {
    if (isNameConflict(error) && input.name) throw nameConflict(input.name);
    throw error;
  }
  const changed = Object.keys(input).filter((k) => k !== 'channelId' && input[k as keyof UpdateChannelInput] !== undefined);
  await recordAudit(ctx, 'notification_channel.update', { type: 'notification_channel', id: current.id }, {
    changed,
    ...(input.url ? { host: new URL(input.url).host } : {}),
  });
  return { channel: (await getChannel(ctx.db, ctx.org.id, current.id))!, signingSecret: secret };
}

/**
 * The channel's scheduled fleet report (admins). Any change restarts the schedule: only periods
 * ending after it are reported, so switching a report on never sends one for a period already over.
 */
export async function setChannelReport(ctx: OrgContext, input: ChannelReportInput): Promise<ChannelDto> {
  requireAdmin(ctx);
  const current = await getChannel(ctx.db, ctx.org.id, input.channelId);
  if (!current) throw new AppError('NOT_FOUND', 'Channel not found.');
  await asServiceWithin(ctx.db, () => ctx.db`
    update public.notification_channels
    set report_frequency = ${input.frequency}, report_hour = ${input.hour}, report_weekday = ${input.weekday}, report_since = now()
    where org_id = ${ctx.org.id} and id = ${current.id}`);
  await recordAudit(ctx, 'notification_channel.report', { type: 'notification_channel', id: current.id }, {
    frequency: input.frequency,
    hour: input.hour,
    weekday: input.weekday,
    previous: current.report,
  });
  return (await getChannel(ctx.db, ctx.org.id, current.id))!;
}

export async function deleteChannel(ctx: OrgContext, input: ChannelRefInput): Promise<{ deleted: true }> {
  requireAdmin(ctx);
  const current = await getChannel(ctx.db, ctx.org.id, input.channelId);
  if (!current) throw new AppError('NOT_FOUND', 'Channel not found.');
  // Its delivery log goes with it; rules that still name it skip it (notifyAlertEvents).
  await asServiceWithin(ctx.db, () => ctx.db`delete from public.notification_channels where org_id = ${ctx.org.id} and id = ${current.id}`);
  await recordAudit(ctx, 'notification_channel.delete', { type: 'notification_channel', id: current.id }, { name: current.name, kind: current.kind });
  return { deleted: true };
}

/**
 * "Send test": records a test delivery (committed), then makes one attempt right away, outside any
 * transaction, and reports how it went. The attempt is in the channel's delivery log like any other.
 */
export async function sendTestNotification(scope: OrgScope, input: ChannelRefInput, deps: Omit<DeliveryDeps, 'db'> & { db: Db }): Promise<DeliveryOutcome> {
  requireAdmin(scope);
  const deliveryId = await scope.withDb(async (ctx) => {
    const channel = await getChannel(ctx.db, ctx.org.id, input.channelId);
    if (!channel) throw new AppError('NOT_FOUND', 'Channel not found.');
    const payload: DeliveryPayload = { test: { message: 'This is a test notification from Fleetline. If you can read it, the channel works.', channelName: channel.name } };
    const [row] = await asServiceWithin(ctx.db, () => ctx.db<{ id: string }[]>`
      insert into public.notification_deliveries (org_id, channel_id, kind, payload, next_attempt_at)
      values (${ctx.org.id}, ${channel.id}, 'test', ${ctx.db.json(payload)}, now()) returning id`);
    await recordAudit(ctx, 'notification_channel.test', { type: 'notification_channel', id: channel.id }, { name: channel.name });
    return row!.id;
  });
  return deliverNotification(deps, deliveryId, { maxAttempts: 1 });
}

export interface NotifyDeps {
  /** Queues the first attempt of each delivery; defaults to the process's job queue. */
  enqueue?: (deliveryIds: string[]) => Promise<void>;
}

/** Queues deliveries on a started pg-boss (the worker passes its own). */
export function enqueueWith(boss: PgBoss): (deliveryIds: string[]) => Promise<void> {
  return async (ids) => {
    if (ids.length > 0) await boss.insert(ids.map((deliveryId) => ({ name: QUEUES.notify, data: { deliveryId } })));
  };
}

async function defaultEnqueue(ids: string[]): Promise<void> {
  if (ids.length > 0) await enqueueWith(await jobQueue())(ids);
}

interface DeliveryRow {
  org_id: string;
  channel_id: string;
  alert_id: string | null;
  kind: 'alert' | 'digest';
  payload: DeliveryPayload;
}

/**
 * Routes alert events to their rules' channels: one delivery per event and channel, or one digest
 * per channel that would get more than STORM_THRESHOLD of them. Only enabled channels of the
 * event's own organization count (rules hold channel ids without a foreign key). The rows commit
 * before their jobs are queued (afterCommit); a job lost in between is queued again by the worker's sweep.
 */
export async function notifyAlertEvents(db: Db, events: AlertEvent[], deps: NotifyDeps = {}): Promise<{ deliveries: number }> {
  const wanted = events.filter((e) => e.channelIds.length > 0);
  if (wanted.length === 0) return { deliveries: 0 };
  const orgIds = [...new Set(wanted.map((e) => e.orgId))];
  const channelIds = [...new Set(wanted.flatMap((e) => e.channelIds))];
  const ids = await db(async (tx) => {
    const channels = await tx<{ id: string; org_id: string }[]>`
      select id, org_id from public.notification_channels
      where enabled and id = any(${channelIds}::uuid[]) and org_id = any(${orgIds}::uuid[])`;
    const usable = new Set(channels.map((c) => `${c.org_id}/${c.id}`));
    const perChannel = new Map<string, { orgId: string; channelId: string; events: AlertEvent[] }>();
    for (const event of wanted) {
      for (const channelId of new Set(event.channelIds)) {
        const key = `${event.orgId}/${channelId}`;
        if (!usable.has(key)) continue;
        const group = perChannel.get(key) ?? { orgId: event.orgId, channelId, events: [] };
        group.events.push(event);
        perChannel.set(key, group);
      }
    }
    const rows: DeliveryRow[] = [];
    for (const group of perChannel.values()) {
      if (group.events.length > STORM_THRESHOLD) {
        rows.push({ org_id: group.orgId, channel_id: group.channelId, alert_id: null, kind: 'digest', payload: digestPayload(group.events) });
      } else {
        for (const event of group.events) {
          rows.push({ org_id: group.orgId, channel_id: group.channelId, alert_id: event.alertId, kind: 'alert', payload: { event: alertEventData(event) } });
        }
      }
    }
    if (rows.length === 0) return [];
    const inserted = await tx<{ id: string }[]>`
      insert into public.notification_deliveries (org_id, channel_id, alert_id, kind, payload, next_attempt_at)
      select r.org_id, r.channel_id, r.alert_id, r.kind, r.payload, now()
      from jsonb_to_recordset(${tx.json(rows as never)}) as r(org_id uuid, channel_id uuid, alert_id uuid, kind public.notification_delivery_kind, payload jsonb)
      returning id`;
    return inserted.map((r) => r.id);
  });
  // `db` may run inside the caller's transaction (alert evaluation marks events told in the same one):
  // the jobs are queued once the delivery rows are committed, or their handler could miss them.
  await afterCommit(() => (deps.enqueue ?? defaultEnqueue)(ids));
  return { deliveries: ids.length };
}
