import { z } from 'zod';

/** Inputs of notification channels (browser-safe: the forms reuse them). */

export const CHANNEL_KINDS = ['email', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
export const DELIVERY_KINDS = ['alert', 'digest', 'test', 'report'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];
export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed', 'gave_up'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const MAX_RECIPIENTS = 20;

const name = z.string().trim().min(1, 'Give the channel a name.').max(80, 'At most 80 characters.');

/**
 * A webhook URL as a tenant may enter it: http(s), no credentials, at most 2048 characters. Whether
 * its address is allowed is decided when it is called (the outbound guard, after DNS); production
 * refuses plain http (the channel's own check, with the environment passed in by the service).
 */
export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2048, 'At most 2048 characters.')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'Enter an http(s) URL without a user name or password, e.g. https://hooks.example.com/fleetline.');

const recipients = z
  .array(z.email('Enter valid e-mail addresses.').max(254))
  .min(1, 'Add at least one recipient.')
  .max(MAX_RECIPIENTS, `At most ${MAX_RECIPIENTS} recipients.`)
  .transform((list) => [...new Set(list.map((r) => r.trim().toLowerCase()))]);

export const createChannelSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('email'), name, recipients }),
  z.object({ kind: z.literal('webhook'), name, url: webhookUrlSchema, format: z.enum(WEBHOOK_FORMATS).default('json') }),
]);
export type CreateChannelInput = z.infer<typeof createChannelSchema>;

/** Only what is given changes; a new URL or `rotateSecret` applies to webhook channels only. */
export const updateChannelSchema = z.object({
  channelId: z.uuid(),
  name: name.optional(),
  enabled: z.boolean().optional(),
  recipients: recipients.optional(),
  url: webhookUrlSchema.optional(),
  format: z.enum(WEBHOOK_FORMATS).optional(),
  rotateSecret: z.boolean().optional(),
});
export type UpdateChannelInput = z.infer<typeof updateChannelSchema>;

export const channelRefSchema = z.object({ channelId: z.uuid() });
export type ChannelRefInput = z.infer<typeof channelRefSchema>;

/**
 * Scheduled fleet report of a channel. Times are UTC: a period ends at `hour`:00, a weekly one on
 * ISO `weekday` (1 = Monday … 7 = Sunday); the report is sent when its period ends.
 */
export const REPORT_FREQUENCIES = ['off', 'daily', 'weekly'] as const;
export type ReportFrequency = (typeof REPORT_FREQUENCIES)[number];

export const channelReportSchema = z.object({
  channelId: z.uuid(),
  frequency: z.enum(REPORT_FREQUENCIES, 'Choose off, daily or weekly.'),
  hour: z.number('Choose an hour.').int().min(0, 'An hour from 0 to 23.').max(23, 'An hour from 0 to 23.'),
  weekday: z.number('Choose a weekday.').int().min(1, 'Choose a weekday.').max(7, 'Choose a weekday.'),
});
export type ChannelReportInput = z.infer<typeof channelReportSchema>;
