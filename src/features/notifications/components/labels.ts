import type { ChannelKind, DeliveryKind, DeliveryStatus, WebhookFormat } from '../schemas';

/** Words the channel pages show for the enums (browser-safe). */
export const CHANNEL_KIND_LABELS: Record<ChannelKind, string> = { email: 'E-mail', webhook: 'Webhook' };
export const WEBHOOK_FORMAT_LABELS: Record<WebhookFormat, string> = { json: 'JSON (signed)', slack: 'Slack-compatible' };
export const DELIVERY_KIND_LABELS: Record<DeliveryKind, string> = { alert: 'Alert', digest: 'Digest', test: 'Test', report: 'Report' };
export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  sending: 'Sending',
  delivered: 'Delivered',
  failed: 'Retrying',
  gave_up: 'Gave up',
};
export const DELIVERY_STATUS_TONES = {
  pending: 'neutral',
  sending: 'brand',
  delivered: 'success',
  failed: 'warning',
  gave_up: 'danger',
} as const satisfies Record<DeliveryStatus, string>;

/** Recipients as a textarea holds them: one per line (commas and spaces also separate). */
export function parseRecipients(text: string): string[] {
  return text.split(/[\s,;]+/).filter(Boolean);
}
