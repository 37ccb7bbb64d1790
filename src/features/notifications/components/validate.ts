import { z } from 'zod';
import type { ActionResult } from '@/lib/errors';

/**
 * Runs a form's input through the action's own schema in the browser first, so a typo is flagged
 * without a round trip; the result has the shape the action's VALIDATION failure has.
 */
export function validateThen<T>(schema: z.ZodType, input: unknown, send: () => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return send();
  const flat = z.flattenError(parsed.error);
  return Promise.resolve({
    ok: false,
    error: { code: 'VALIDATION', message: flat.formErrors[0] ?? 'Please correct the highlighted fields.', fieldErrors: flat.fieldErrors as Record<string, string[]> },
  });
}
