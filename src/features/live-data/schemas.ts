import { z } from 'zod';

/** MQTT topic filter: levels of allowed characters, `+` for one level, `#` only last. */
export const topicFilterSchema = z
  .string()
  .trim()
  .min(1, 'Enter a topic filter.')
  .max(256)
  .regex(/^([A-Za-z0-9_$-]+|\+)(\/([A-Za-z0-9_$-]+|\+))*(\/#)?$/, 'Use levels of letters, digits, _ - $, with + for one level and /# at the end.')
  // The telemetry rule takes the thing name from topic(2).
  .refine((f) => f.split('/')[1] === '+', 'The second level must be + (the thing name), as in dt/+/telemetry.');

export const liveDataRefSchema = z.object({ integrationId: z.uuid() });
export type LiveDataRefInput = z.infer<typeof liveDataRefSchema>;

export const enableLiveDataSchema = liveDataRefSchema.extend({ topicFilter: topicFilterSchema.default('dt/+/telemetry') });
export type EnableLiveDataInput = z.infer<typeof enableLiveDataSchema>;
