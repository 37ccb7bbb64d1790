import { z } from 'zod';

/** Inputs of the sync feature: job payloads, the Sync now action, the status route. Browser-safe. */

export { SYNC_TRIGGERS, syncJobSchema, type SyncJobPayload, type SyncTrigger } from '@/lib/jobs/payloads';

export const syncNowSchema = z.object({ integrationId: z.uuid({ message: 'Choose an integration.' }) });
export type SyncNowInput = z.infer<typeof syncNowSchema>;

/** Query string of GET /api/orgs/[orgSlug]/sync. */
export const syncStatusQuerySchema = z.object({
  integrationId: z.uuid().optional(),
  runs: z.coerce.number().int().min(1).max(50).default(8),
});
export type SyncStatusQuery = z.infer<typeof syncStatusQuerySchema>;

const jsonObject = z.record(z.string(), z.unknown());

/** One shadow as the fleet index serialises it inside `ThingDocument.shadow` (a JSON string). */
export const indexedShadowSchema = z.object({
  reported: jsonObject.optional(),
  desired: jsonObject.optional(),
  delta: jsonObject.optional(),
  metadata: jsonObject.optional(),
  version: z.number().int().optional(),
});

export const indexedShadowDocumentSchema = indexedShadowSchema.extend({
  name: z.record(z.string(), indexedShadowSchema).optional(),
});

/** A shadow document as GetThingShadow returns it. */
export const shadowDocumentSchema = z.object({
  state: z.object({ reported: jsonObject.nullish(), desired: jsonObject.nullish(), delta: jsonObject.nullish() }).partial().optional(),
  metadata: jsonObject.optional(),
  version: z.number().int().optional(),
});

/**
 * Who may press Sync now: operators and up. A sync only refreshes Fleetline's cached copy (it
 * changes nothing in AWS), is deduplicated and stays within the integration's quota budget, and
 * operators are the ones watching fleet health; viewers change nothing, by definition.
 */
export const SYNC_NOW_MIN_ROLE = 'operator' as const;
