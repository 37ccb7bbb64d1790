import type { Logger } from 'pino';
import type { Tx } from '@/lib/db';
import { mailEnv } from '@/lib/env';
import { classifyAddress, outboundPolicyFromEnv, type OutboundPolicy } from '@/lib/net/outbound-guard';
import { decryptChannelSecret, type Keyring } from '@/lib/vault';
import type { DeliveryMessage, DeliveryPayload } from './messages';
import type { DeliveryKind, WebhookFormat } from './schemas';
import { createMailer, sendEmail, sendWebhook, type Mailer, type SendResult } from './senders';

/**
 * One attempt of one delivery, in three steps so no transaction waits on the network (design §8.3):
 * claim the row (pending/failed → sending) in a short transaction, send, then record the outcome
 * in another. The claim is atomic, so a duplicate job for the same row does nothing.
 */
export type Db = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/**
 * Retries (documented in the README): attempt n waits baseDelaySeconds × 2^(n-1), capped, or the
 * receiver's Retry-After when it asks for longer; after maxAttempts the delivery gives up.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelaySeconds: 30, maxDelaySeconds: 3600 };
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface DeliveryDeps {
  /** asService: the worker writes deliveries; every query filters by org_id too. */
  db: Db;
  log: Logger;
  keyring: Keyring;
  /** Null when SMTP_URL is unset: e-mail deliveries give up saying so. */
  mailer: Mailer | null;
  mailFrom: string;
  /** The outbound-address policy; defaults to the environment's. */
  policy?: OutboundPolicy;
  retry?: Partial<RetryPolicy>;
  webhookTimeoutMs?: number;
  /** Defaults to NODE_ENV: production sends webhooks over https only, whatever was saved. */
  production?: boolean;
  now?: () => number;
}

/** Delivery deps from the environment (the worker and the app's "send test"). */
export function deliveryDepsFromEnv(base: { db: Db; log: Logger; keyring: Keyring }, source: Record<string, string | undefined> = process.env): DeliveryDeps {
  const env = mailEnv(source);
  return { ...base, mailer: env.SMTP_URL ? createMailer(env.SMTP_URL) : null, mailFrom: env.MAIL_FROM };
}

/**
 * Production sends webhooks over https only; plain http is accepted there only to a literal loopback
 * address where the environment allows loopback at all (the local stack and e2e, never a deployment).
 */
export function webhookSchemeAllowed(url: string, policy: OutboundPolicy, production: boolean): boolean {
  if (!production || url.startsWith('https://')) return true;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && policy.allowLoopback && classifyAddress(parsed.hostname) === 'loopback';
  } catch {
    return false;
  }
}

export function retryDelaySeconds(policy: RetryPolicy, attempt: number, retryAfterSeconds?: number): number {
  const backoff = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** Math.max(0, attempt - 1));
  return retryAfterSeconds === undefined ? backoff : Math.min(policy.maxDelaySeconds, Math.max(backoff, retryAfterSeconds));
}

export type DeliveryOutcome =
  | { status: 'delivered'; attempts: number; statusCode: number | null }
  | { status: 'failed'; attempts: number; statusCode: number | null; error: string; retryInSeconds: number }
  | { status: 'gave_up'; attempts: number; statusCode: number | null; error: string }
  /**
   * Nothing sent: `missing` = no such row (not committed yet, or its channel was deleted);
   * `not_claimable` = delivered or given up already, another worker has it, or not due yet.
   */
  | { status: 'skipped'; reason: 'missing' | 'not_claimable' };

interface ClaimedRow {
  id: string;
  org_id: string;
  kind: DeliveryKind;
  payload: DeliveryPayload;
  attempts: number;
  created_at: Date;
  channel_kind: 'email' | 'webhook';
  channel_id: string;
  enabled: boolean;
  email_recipients: string[] | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  webhook_format: WebhookFormat;
}

async function claim(db: Db, deliveryId: string): Promise<ClaimedRow | null> {
  return db(async (tx) => {
    const [row] = await tx<ClaimedRow[]>`
      with claimed as (
        update public.notification_deliveries d
        set status = 'sending', attempts = d.attempts + 1, next_attempt_at = null, last_attempt_at = now()
        where d.id = ${deliveryId} and d.status in ('pending', 'failed')
          and (d.next_attempt_at is null or d.next_attempt_at <= now() + interval '2 seconds')
        returning d.id, d.org_id, d.channel_id, d.kind, d.payload, d.attempts, d.created_at
      )
      select c.id, c.org_id, c.kind, c.payload, c.attempts, c.created_at, ch.id as channel_id, ch.kind as channel_kind, ch.enabled,
             ch.email_recipients, ch.webhook_url, ch.webhook_secret, ch.webhook_format
      from claimed c join public.notification_channels ch on ch.id = c.channel_id and ch.org_id = c.org_id`;
    return row ?? null;
  });
}

async function record(db: Db, row: ClaimedRow, result: SendResult, policy: RetryPolicy): Promise<DeliveryOutcome> {
  const attempts = row.attempts;
  if (result.ok) {
    await db((tx) => tx`
      update public.notification_deliveries
      set status = 'delivered', delivered_at = now(), last_status_code = ${result.statusCode}, last_error = null
      where id = ${row.id} and org_id = ${row.org_id}`);
    return { status: 'delivered', attempts, statusCode: result.statusCode };
  }
  if (result.retryable && attempts < policy.maxAttempts) {
    const retryInSeconds = retryDelaySeconds(policy, attempts, result.retryAfterSeconds);
    await db((tx) => tx`
      update public.notification_deliveries
      set status = 'failed', last_status_code = ${result.statusCode}, last_error = ${result.error.slice(0, 300)},
          next_attempt_at = now() + make_interval(secs => ${retryInSeconds})
      where id = ${row.id} and org_id = ${row.org_id}`);
    return { status: 'failed', attempts, statusCode: result.statusCode, error: result.error, retryInSeconds };
  }
  const error = (result.retryable ? `${result.error}; gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}` : result.error).slice(0, 300);
  await db((tx) => tx`
    update public.notification_deliveries
    set status = 'gave_up', last_status_code = ${result.statusCode}, last_error = ${error}, next_attempt_at = null
    where id = ${row.id} and org_id = ${row.org_id}`);
  return { status: 'gave_up', attempts, statusCode: result.statusCode, error };
}

async function send(deps: DeliveryDeps, row: ClaimedRow): Promise<SendResult> {
  // A rule may route to a channel an admin disabled since; a test is sent to check a channel anyway.
  if (!row.enabled && row.kind !== 'test') return { ok: false, retryable: false, statusCode: null, error: 'The channel is disabled.' };
  const message: DeliveryMessage = { id: row.id, kind: row.kind, orgId: row.org_id, createdAt: row.created_at.toISOString(), payload: row.payload };
  if (row.channel_kind === 'email') return sendEmail(deps.mailer, deps.mailFrom, row.email_recipients ?? [], message);
  const production = deps.production ?? process.env.NODE_ENV === 'production';
  if (!webhookSchemeAllowed(row.webhook_url ?? '', deps.policy ?? outboundPolicyFromEnv(), production)) return { ok: false, retryable: false, statusCode: null, error: 'Webhook URLs must use https.' };
  let secret: string;
  try {
    secret = decryptChannelSecret(deps.keyring, { orgId: row.org_id, channelId: row.channel_id }, row.webhook_secret ?? '');
  } catch {
    return { ok: false, retryable: false, statusCode: null, error: 'The signing secret cannot be decrypted (vault key missing?).' };
  }
  return sendWebhook({ url: row.webhook_url ?? '', secret, format: row.webhook_format }, message, {
    policy: deps.policy,
    timeoutMs: deps.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS,
    now: deps.now ?? Date.now,
  });
}

/** Attempts one delivery now; `retry` overrides the policy (the "send test" button makes one attempt). */
export async function deliverNotification(deps: DeliveryDeps, deliveryId: string, retry: Partial<RetryPolicy> = {}): Promise<DeliveryOutcome> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...deps.retry, ...retry };
  const row = await claim(deps.db, deliveryId);
  if (!row) {
    const [exists] = await deps.db((tx) => tx`select 1 from public.notification_deliveries where id = ${deliveryId}`);
    return { status: 'skipped', reason: exists ? 'not_claimable' : 'missing' };
  }
  let result: SendResult;
  try {
    result = await send(deps, row);
  } catch (error) {
    // A bug in a sender must not leave the row in `sending` forever.
    deps.log.error({ err: error, deliveryId }, 'notification sender failed unexpectedly');
    result = { ok: false, retryable: true, statusCode: null, error: 'Internal error while sending' };
  }
  const outcome = await record(deps.db, row, result, policy);
  deps.log.info({ deliveryId, orgId: row.org_id, channelId: row.channel_id, kind: row.kind, ...outcome }, 'notification attempt');
  return outcome;
}

/**
 * Rows whose attempt is due but whose job was lost (the enqueue after commit failed, or a worker
 * died mid-send): a `sending` row untouched for 10 minutes counts as a failed attempt. Returns the
 * ids to queue again; claiming stays atomic, so a row queued twice is sent once.
 */
export async function dueDeliveries(db: Db, limit = 500): Promise<string[]> {
  return db(async (tx) => {
    await tx`
      update public.notification_deliveries
      set status = 'failed', last_error = 'Interrupted while sending', next_attempt_at = now()
      where status = 'sending' and last_attempt_at < now() - interval '10 minutes'`;
    const rows = await tx<{ id: string }[]>`
      select id from public.notification_deliveries
      where status in ('pending', 'failed') and next_attempt_at < now() - interval '1 minute'
      order by next_attempt_at limit ${limit}`;
    return rows.map((r) => r.id);
  });
}
