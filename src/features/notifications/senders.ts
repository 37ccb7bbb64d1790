import nodemailer from 'nodemailer';
import { assertOutsideTransaction } from '@/lib/db';
import { guardedFetch, isOutboundAddressError, type OutboundPolicy } from '@/lib/net/outbound-guard';
import { emailContent, eventType, signatureHeader, SIGNATURE_HEADER, webhookBody, type DeliveryMessage } from './messages';
import type { WebhookFormat } from './schemas';

/**
 * The two ways a delivery leaves Fleetline. Each returns what happened, never throws for a failed
 * send, and never puts a URL, address, host or secret into the error it records.
 */
export type SendResult =
  | { ok: true; statusCode: number | null }
  | { ok: false; retryable: boolean; statusCode: number | null; error: string; retryAfterSeconds?: number };

/** What the e-mail sender needs of nodemailer (a test may pass its own). */
export interface Mailer {
  sendMail(message: { from: string; to: string[]; subject: string; text: string; html?: string; headers?: Record<string, string> }): Promise<unknown>;
}

/** A nodemailer SMTP transport from `SMTP_URL` (smtp:// upgrades with STARTTLS when offered). */
export function createMailer(smtpUrl: string): Mailer & { close(): void } {
  return nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

function networkError(error: unknown): string {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && /^[A-Z_]{2,32}$/.test(code) ? `Network error (${code})` : 'Network error';
}

export interface WebhookTarget {
  url: string;
  secret: string;
  format: WebhookFormat;
}

export async function sendWebhook(
  target: WebhookTarget,
  message: DeliveryMessage,
  options: { policy?: OutboundPolicy; timeoutMs: number; now: () => number },
): Promise<SendResult> {
  assertOutsideTransaction('A webhook');
  const body = webhookBody(message, target.format);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Fleetline-Webhooks/1',
    [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(target.secret, body, Math.floor(options.now() / 1000)),
    'fleetline-delivery': message.id,
    'fleetline-event': eventType(message),
  };
  let res: Response;
  try {
    res = await guardedFetch(target.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs) }, options.policy);
  } catch (error) {
    if (isOutboundAddressError(error)) return { ok: false, retryable: false, statusCode: null, error: 'This endpoint is not allowed.' };
    const name = (error as { name?: string } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return { ok: false, retryable: true, statusCode: null, error: `Timed out after ${options.timeoutMs} ms` };
    }
    return { ok: false, retryable: true, statusCode: null, error: networkError(error) };
  }
  // The receiver's body is not ours to keep (it may echo anything); only the status counts.
  await res.body?.cancel().catch(() => undefined);
  const status = res.status;
  if (status >= 200 && status < 300) return { ok: true, statusCode: status };
  const retryable = status === 408 || status === 429 || status >= 500;
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'), options.now());
  return { ok: false, retryable, statusCode: status, error: `HTTP ${status}`, ...(retryable && retryAfter !== null ? { retryAfterSeconds: retryAfter } : {}) };
}

export async function sendEmail(mailer: Mailer | null, from: string, recipients: string[], message: DeliveryMessage): Promise<SendResult> {
  if (!mailer) return { ok: false, retryable: false, statusCode: null, error: 'E-mail is not configured on this server (SMTP_URL).' };
  assertOutsideTransaction('An e-mail');
  const { subject, text, html } = emailContent(message);
  try {
    await mailer.sendMail({ from, to: recipients, subject, text, ...(html ? { html } : {}), headers: { 'X-Fleetline-Delivery': message.id } });
    return { ok: true, statusCode: null };
  } catch (error) {
    const { responseCode, code } = error as { responseCode?: unknown; code?: unknown };
    if (typeof responseCode === 'number') {
      // 4xx is SMTP's "try again later"; 5xx is permanent (unknown mailbox, policy refusal).
      return { ok: false, retryable: responseCode < 500, statusCode: responseCode, error: `SMTP ${responseCode}` };
    }
    return { ok: false, retryable: true, statusCode: null, error: typeof code === 'string' && /^[A-Z_]{2,32}$/.test(code) ? `SMTP error (${code})` : 'SMTP error' };
  }
}
