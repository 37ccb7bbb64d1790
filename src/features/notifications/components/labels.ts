import type { ChannelKind, DeliveryKind, DeliveryStatus, ReportFrequency, WebhookFormat } from '../schemas';

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

export const REPORT_FREQUENCY_LABELS: Record<ReportFrequency, string> = { off: 'Off', daily: 'Daily', weekly: 'Weekly' };
/** ISO weekdays, 1 = Monday … 7 = Sunday (what report_weekday stores). */
export const WEEKDAY_LABELS: Record<number, string> = { 1: 'Monday', 2: 'Tuesday', 3: 'Wednesday', 4: 'Thursday', 5: 'Friday', 6: 'Saturday', 7: 'Sunday' };

/** "Daily at 08:00 UTC", "Weekly on Monday at 08:00 UTC" or "Off". */
export function reportScheduleText(report: { frequency: ReportFrequency; hour: number; weekday: number }): string {
  const at = `${String(report.hour).padStart(2, '0')}:00 UTC`;
  if (report.frequency === 'off') return 'Off';
  return report.frequency === 'daily' ? `Daily at ${at}` : `Weekly on ${WEEKDAY_LABELS[report.weekday]} at ${at}`;
}
