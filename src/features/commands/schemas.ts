import { z } from 'zod';

/**
 * Inputs of desired-state commands, shared by the composer (validated before anything is sent)
 * and the action. Browser-safe. The desired document follows the Device Shadow limits: an object,
 * at most 8 KB as AWS counts it (`{"desired": …}`), nested at most 6 levels, no `reported` section.
 */

/** AWS counts the state document (metadata excluded): 8 KB. */
export const DESIRED_MAX_BYTES = 8192;
/**
 * Nesting levels of the desired section, counted from the section itself (`{"a": 1}` is 1, arrays
 * count). Sources disagree (2019 limits page: 5, current docs and the simulator: 6); 6 is used.
 */
export const DESIRED_MAX_DEPTH = 6;
/** The text the editor may hold before it is even parsed (whitespace included). */
export const DESIRED_MAX_TEXT = 32_768;

export const COMMAND_TIMEOUTS = [60, 600, 3600, 86_400] as const;
export const DEFAULT_COMMAND_TIMEOUT = 600;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type DesiredDocument = { [key: string]: JsonValue };

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Levels of nesting, as the shadow service counts them (a scalar is 0). */
export function jsonDepth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(jsonDepth));
  if (isPlainObject(value)) return 1 + Math.max(0, ...Object.values(value).map(jsonDepth));
  return 0;
}

/** UTF-8 bytes of the state document AWS would receive for this desired section. */
export function desiredStateBytes(desired: unknown): number {
  return new TextEncoder().encode(JSON.stringify({ desired })).length;
}

export const shadowNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9:_-]{1,64}$/, 'Shadow names use letters, digits and :_- (at most 64).');

/** The desired section itself (an object), with the shadow service's limits. */
export const desiredDocumentSchema = z.unknown().superRefine((value, ctx) => {
  if (!isPlainObject(value)) {
    ctx.addIssue({ code: 'custom', message: 'Desired state must be a JSON object, e.g. {"ledColor": "blue"}.' });
    return;
  }
  if (Object.keys(value).length === 0) {
    ctx.addIssue({ code: 'custom', message: 'Add at least one key to the desired state.' });
    return;
  }
  if ('reported' in value) {
    ctx.addIssue({ code: 'custom', message: 'Remove the "reported" section: commands write desired state only; reported state is the device’s to write.' });
  }
  const depth = jsonDepth(value);
  if (depth > DESIRED_MAX_DEPTH) {
    ctx.addIssue({ code: 'custom', message: `Desired state is nested ${depth} levels deep; AWS allows at most ${DESIRED_MAX_DEPTH}.` });
  }
  const bytes = desiredStateBytes(value);
  if (bytes > DESIRED_MAX_BYTES) {
    ctx.addIssue({ code: 'custom', message: `Desired state is ${bytes.toLocaleString('en')} bytes; AWS allows at most ${DESIRED_MAX_BYTES.toLocaleString('en')} (8 KB).` });
  }
}) as unknown as z.ZodType<DesiredDocument>;

/** The editor's text → the parsed desired document (field-level messages for each problem). */
export const desiredTextSchema = z
  .string()
  .max(DESIRED_MAX_TEXT, `The editor holds more than ${DESIRED_MAX_TEXT.toLocaleString('en')} characters; AWS allows 8 KB of state.`)
  .transform((text, ctx) => {
    if (text.trim() === '') {
      ctx.addIssue({ code: 'custom', message: 'Enter the desired state as JSON, e.g. {"ledColor": "blue"}.' });
      return z.NEVER;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `Not valid JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(desiredDocumentSchema);

export const sendCommandSchema = z.object({
  deviceId: z.uuid(),
  /** Null for the classic shadow. */
  shadowName: shadowNameSchema.nullable().default(null),
  desired: desiredTextSchema,
  /** The shadow version the operator saw; null when the shadow did not exist yet. */
  expectedVersion: z.number().int().nonnegative().nullable(),
  timeoutSeconds: z
    .number()
    .int()
    .refine((n) => (COMMAND_TIMEOUTS as readonly number[]).includes(n), 'Choose one of the offered timeouts.')
    .default(DEFAULT_COMMAND_TIMEOUT),
});
export type SendCommandInput = z.input<typeof sendCommandSchema>;
export type SendCommandData = z.output<typeof sendCommandSchema>;

export const deviceRefSchema = z.object({ deviceId: z.uuid() });

export const COMMAND_STATUSES = ['pending', 'delivered', 'converged', 'timed_out', 'failed'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];
export const OPEN_COMMAND_STATUSES: readonly CommandStatus[] = ['pending', 'delivered'];

/** Who may send commands: operators and up (viewers change nothing). */
export const COMMAND_MIN_ROLE = 'operator' as const;
