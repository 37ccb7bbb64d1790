import { z } from 'zod';
import { desiredDocumentSchema, type JsonValue } from '@/features/commands/schemas';
import { attributeFilterSchema, deviceFilterSchema } from '@/features/devices/filters';

/**
 * Inputs of bulk actions, shared by the form and the actions. Browser-safe. The action's fields are
 * flat (kind, key, value) so each gets its own message: an attribute follows AWS's name/value rules,
 * a desired key and its JSON value must make a valid desired document (size, nesting, no reported).
 */
export const BULK_MAX_DEVICES = 10_000;
export const BULK_KINDS = ['set_attribute', 'set_desired'] as const;
export type BulkKind = (typeof BULK_KINDS)[number];
export const BULK_KIND_LABELS: Record<BulkKind, string> = { set_attribute: 'Set an attribute', set_desired: 'Set a desired-state key' };

const desiredKey = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Desired keys use letters, digits, _ and - (at most 64).');

export interface BulkSpec {
  kind: BulkKind;
  key: string;
  /** set_attribute: the value ('' removes the attribute); set_desired: the parsed JSON (null deletes the key). */
  value: JsonValue;
}

const fields = {
  filter: deviceFilterSchema,
  kind: z.enum(BULK_KINDS, { message: 'Choose what to change.' }),
  key: z.string().trim().min(1, 'Enter a name.'),
  value: z.string().max(16_384, 'The value is too long.'),
};

function refine(input: { kind: BulkKind; key: string; value: string }, ctx: z.RefinementCtx) {
  const issue = (path: 'key' | 'value', message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (input.kind === 'set_attribute') {
    const key = attributeFilterSchema.shape.key.safeParse(input.key);
    if (!key.success) issue('key', key.error.issues[0]!.message);
    const value = attributeFilterSchema.shape.value.safeParse(input.value);
    if (!value.success) issue('value', value.error.issues[0]!.message);
    return;
  }
  const key = desiredKey.safeParse(input.key);
  if (!key.success) issue('key', key.error.issues[0]!.message);
  if (input.key === 'reported') issue('key', 'Commands write desired state only; "reported" is the device’s.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.value);
  } catch {
    issue('value', 'Enter a JSON value: "text" in quotes, a number, true/false, an object, or null to delete the key.');
    return;
  }
  const doc = desiredDocumentSchema.safeParse({ [input.key]: parsed });
  if (!doc.success) issue('value', doc.error.issues[0]!.message);
}

function toSpec(input: { kind: BulkKind; key: string; value: string }): BulkSpec {
  return { kind: input.kind, key: input.key, value: input.kind === 'set_attribute' ? input.value : (JSON.parse(input.value) as JsonValue) };
}

export const previewBulkSchema = z
  .object(fields)
  .superRefine(refine)
  .transform((v) => ({ filter: v.filter, spec: toSpec(v) }));
export type PreviewBulkInput = z.input<typeof previewBulkSchema>;

export const startBulkSchema = z
  .object({ ...fields, expectedCount: z.number().int().min(1).max(BULK_MAX_DEVICES) })
  .superRefine(refine)
  .transform((v) => ({ filter: v.filter, spec: toSpec(v), expectedCount: v.expectedCount }));
export type StartBulkInput = z.input<typeof startBulkSchema>;

export const bulkOperationRefSchema = z.object({ operationId: z.uuid() });

export { bulkJobSchema, type BulkJobPayload } from '@/lib/jobs/payloads';

export const BULK_MIN_ROLE = 'operator' as const;

/** What a spec does, in words (also in the audit and the report). */
export function describeSpec(spec: { kind: BulkKind; key: string; value: unknown }): string {
  if (spec.kind === 'set_attribute') return spec.value === '' ? `Remove attribute ${spec.key}` : `Set attribute ${spec.key} = ${String(spec.value)}`;
  return spec.value === null ? `Delete desired key ${spec.key}` : `Set desired ${spec.key} = ${JSON.stringify(spec.value)}`;
}
