import { z } from 'zod';
import { attributeFilterSchema } from '@/features/devices/filters';

/** Inputs of the device page's writes. Browser-safe: the attribute editor validates with these too. */

/** AWS IoT: a thing without a thing type holds at most 3 attributes, a typed thing 50. */
export const MAX_ATTRIBUTES_UNTYPED = 3;
export const MAX_ATTRIBUTES_TYPED = 50;

const attributeName = attributeFilterSchema.shape.key;
const attributeValue = attributeFilterSchema.shape.value;

const target = {
  deviceId: z.uuid(),
  name: attributeName,
  /** The registry version the operator saw; null when the cache has none (fleet-index syncs do not read it). */
  expectedVersion: z.number().int().nonnegative().nullable(),
};

export const updateAttributeSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('set'),
    ...target,
    value: attributeValue.min(1, 'Enter a value (to clear an attribute, remove it).'),
  }),
  z.object({ op: z.literal('remove'), ...target }),
]);
export type UpdateAttributeInput = z.infer<typeof updateAttributeSchema>;

export const ATTRIBUTE_MIN_ROLE = 'operator' as const;
