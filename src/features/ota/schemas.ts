import { z } from 'zod';
import { GUARD_CONFIDENCES, GUARD_DEFAULTS, GUARD_LIMITS } from './guard-decision';
import { ABORT_FAILURE_TYPES, EXECUTION_STATUSES, JOB_STATUSES, LIMITS } from './model';

/**
 * Inputs of the OTA feature (browser-safe). The create input is flat, one key per wizard field,
 * so field errors land next to the field; `createJobRequest` turns it into AWS's CreateJob shape.
 */
export const OTA_WRITE_MIN_ROLE = 'admin' as const;

const AWS_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

function int(label: string, min: number, max: number) {
  return z
    .number({ error: `${label} must be a number.` })
    .int(`${label} must be a whole number.`)
    .min(min, `${label} must be at least ${min.toLocaleString('en')}.`)
    .max(max, `${label} must be at most ${max.toLocaleString('en')}.`);
}

/** At most `places` digits after the decimal point (AWS rejects more). */
function hasDecimals(value: number, places: number): boolean {
  const scaled = value * 10 ** places;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

export function isJsonObjectText(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

export const targetsStepSchema = z.object({
  integrationId: z.uuid('Choose the AWS account.'),
  targetKind: z.enum(['groups', 'things']),
  groups: z
    .array(z.string().regex(AWS_NAME, 'Thing group names use letters, digits and : _ -'))
    .max(LIMITS.groupTargets, `At most ${LIMITS.groupTargets} thing groups per job.`),
  things: z
    .array(z.string().regex(AWS_NAME, 'Thing names use letters, digits and : _ -'))
    .max(LIMITS.thingTargets, `At most ${LIMITS.thingTargets} things per job; target a thing group for more.`),
  targetSelection: z.enum(['SNAPSHOT', 'CONTINUOUS']),
});

export const documentStepSchema = z.object({
  jobId: z.string().regex(LIMITS.jobId, 'A job id is 1–64 letters, digits, - or _ (no spaces), unique in the AWS account.'),
  description: z.string().trim().max(LIMITS.descriptionChars, `At most ${LIMITS.descriptionChars.toLocaleString('en')} characters.`),
  document: z
    .string()
    .min(2, 'The job document is empty.')
    .max(LIMITS.documentChars, `The job document may have at most ${LIMITS.documentChars.toLocaleString('en')} characters (32 KB).`)
    .refine(isJsonObjectText, 'The job document must be a JSON object, e.g. {"operation": "firmware-update"}.'),
});

const rate = LIMITS.ratePerMinute;
export const rolloutStepSchema = z.object({
  rolloutType: z.enum(['constant', 'exponential']),
  maximumPerMinute: int('The maximum rate', rate.min, rate.max),
  baseRatePerMinute: int('The starting rate', rate.min, rate.max),
  incrementFactor: z
    .number({ error: 'The growth factor must be a number.' })
    .min(LIMITS.incrementFactor.min, 'The growth factor must be at least 1.1.')
    .max(LIMITS.incrementFactor.max, 'The growth factor must be at most 5.')
    .refine((v) => hasDecimals(v, 1), 'AWS accepts one digit after the decimal point (e.g. 1.5).'),
  increaseCriterion: z.enum(['notified', 'succeeded']),
  increaseThreshold: int('The number of things', LIMITS.increaseThreshold.min, LIMITS.increaseThreshold.max),
});

export const safetyStepSchema = z.object({
  abortEnabled: z.boolean(),
  abortFailureType: z.enum(ABORT_FAILURE_TYPES),
  abortThresholdPercentage: z
    .number({ error: 'The threshold must be a number.' })
    .min(LIMITS.thresholdPercentage.min, 'The threshold must be more than 0 %.')
    .max(LIMITS.thresholdPercentage.max, 'The threshold must be at most 100 %.')
    .refine((v) => hasDecimals(v, 2), 'AWS accepts two digits after the decimal point (e.g. 10.25).'),
  abortMinExecutedThings: int('The minimum number of things', LIMITS.minExecutedThings.min, LIMITS.minExecutedThings.max),
  inProgressTimeoutMinutes: int('The timeout', LIMITS.timeoutMinutes.min, LIMITS.timeoutMinutes.max).nullable(),
  retryFailed: int('Retries', LIMITS.retries.min, LIMITS.retries.max),
  retryTimedOut: int('Retries', LIMITS.retries.min, LIMITS.retries.max),
});

/**
 * The health guard (optional): alert rules whose alerts, clearly more frequent among updated devices
 * than among waiting ones, stop the rollout (see guard-decision). No rules, no guard.
 */
export const guardStepSchema = z.object({
  guardRuleIds: z
    .array(z.uuid('Choose alert rules from the list.'))
    .max(GUARD_LIMITS.rules, `At most ${GUARD_LIMITS.rules} guard rules per job.`)
    .refine((ids) => new Set(ids).size === ids.length, 'Each rule may appear once.')
    .default([]),
  guardMinTreated: int('The number of updated devices', GUARD_LIMITS.minTreated.min, GUARD_LIMITS.minTreated.max).default(GUARD_DEFAULTS.minTreated),
  guardMarginPercent: z
    .number({ error: 'The margin must be a number.' })
    .min(GUARD_LIMITS.marginPercent.min, 'The margin cannot be negative.')
    .max(GUARD_LIMITS.marginPercent.max, 'The margin must be at most 100 points.')
    .refine((v) => hasDecimals(v, 2), 'At most two digits after the decimal point.')
    .default(GUARD_DEFAULTS.marginPercent),
  guardConfidence: z
    .number({ error: 'Choose a confidence.' })
    .refine((v): v is (typeof GUARD_CONFIDENCES)[number] => (GUARD_CONFIDENCES as readonly number[]).includes(v), 'Choose 90 %, 95 % or 99 %.')
    .default(GUARD_DEFAULTS.confidence),
});

function targetIssues(v: z.infer<typeof targetsStepSchema>, ctx: z.RefinementCtx) {
  if (v.targetKind === 'groups' && v.groups.length === 0) ctx.addIssue({ code: 'custom', path: ['groups'], message: 'Pick at least one thing group.' });
  if (v.targetKind === 'things' && v.things.length === 0) ctx.addIssue({ code: 'custom', path: ['things'], message: 'Pick at least one thing.' });
  const list = v.targetKind === 'groups' ? v.groups : v.things;
  if (new Set(list).size !== list.length) ctx.addIssue({ code: 'custom', path: [v.targetKind], message: 'Each target may appear once.' });
  if (v.targetSelection === 'CONTINUOUS' && v.targetKind !== 'groups') {
    ctx.addIssue({ code: 'custom', path: ['targetSelection'], message: 'Only jobs for thing groups can be continuous.' });
  }
}

function rolloutIssues(v: z.infer<typeof rolloutStepSchema>, ctx: z.RefinementCtx) {
  if (v.rolloutType === 'exponential' && v.baseRatePerMinute > v.maximumPerMinute) {
    ctx.addIssue({ code: 'custom', path: ['baseRatePerMinute'], message: 'The starting rate cannot exceed the maximum rate.' });
  }
}

export const targetsStepInput = targetsStepSchema.superRefine(targetIssues);
export const rolloutStepInput = rolloutStepSchema.superRefine(rolloutIssues);

export const createOtaJobSchema = targetsStepSchema
  .extend(documentStepSchema.shape)
  .extend(rolloutStepSchema.shape)
  .extend(safetyStepSchema.shape)
  .extend(guardStepSchema.shape)
  .superRefine((v, ctx) => {
    targetIssues(v, ctx);
    rolloutIssues(v, ctx);
  });
export type CreateOtaJobInput = z.infer<typeof createOtaJobSchema>;

/** Field names per wizard step, to send the user to the step a server error belongs to. */
export const STEP_FIELDS: readonly (readonly string[])[] = [
  Object.keys(targetsStepSchema.shape),
  Object.keys(documentStepSchema.shape),
  Object.keys(rolloutStepSchema.shape),
  [...Object.keys(safetyStepSchema.shape), ...Object.keys(guardStepSchema.shape)],
];

export const cancelOtaJobSchema = z.object({
  otaJobId: z.uuid(),
  force: z.boolean(),
  reasonCode: z
    .string()
    .trim()
    .regex(/^([A-Z0-9_]{1,128})?$/, 'A reason code uses upper-case letters, digits and _ (e.g. BAD_FIRMWARE).'),
  comment: z.string().trim().max(LIMITS.commentChars, `At most ${LIMITS.commentChars.toLocaleString('en')} characters.`),
});
export type CancelOtaJobInput = z.infer<typeof cancelOtaJobSchema>;

export const otaJobListQuerySchema = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  cursor: z.string().max(200).optional(),
});

export const executionsQuerySchema = z.object({
  status: z.enum(EXECUTION_STATUSES).optional(),
  q: z.string().trim().min(1).max(128).optional(),
  cursor: z.string().regex(AWS_NAME).optional(),
});
export type ExecutionsQuery = z.infer<typeof executionsQuerySchema>;

export const targetSearchQuerySchema = z.object({
  integrationId: z.uuid(),
  q: z.string().trim().max(200).optional(),
});

/** The AWS CreateJob request body for a validated input and the resolved target ARNs. */
export function createJobRequest(input: CreateOtaJobInput, targets: string[]) {
  const rollout =
    input.rolloutType === 'constant'
      ? { maximumPerMinute: input.maximumPerMinute }
      : {
          maximumPerMinute: input.maximumPerMinute,
          exponentialRate: {
            baseRatePerMinute: input.baseRatePerMinute,
            incrementFactor: input.incrementFactor,
            rateIncreaseCriteria:
              input.increaseCriterion === 'notified'
                ? { numberOfNotifiedThings: input.increaseThreshold }
                : { numberOfSucceededThings: input.increaseThreshold },
          },
        };
  const retries = [
    ...(input.retryFailed > 0 ? [{ failureType: 'FAILED' as const, numberOfRetries: input.retryFailed }] : []),
    ...(input.retryTimedOut > 0 && input.inProgressTimeoutMinutes !== null ? [{ failureType: 'TIMED_OUT' as const, numberOfRetries: input.retryTimedOut }] : []),
  ];
  return {
    jobId: input.jobId,
    targets,
    document: input.document,
    ...(input.description ? { description: input.description } : {}),
    targetSelection: input.targetSelection,
    jobExecutionsRolloutConfig: rollout,
    ...(input.abortEnabled
      ? {
          abortConfig: {
            criteriaList: [
              {
                failureType: input.abortFailureType,
                action: 'CANCEL' as const,
                thresholdPercentage: input.abortThresholdPercentage,
                minNumberOfExecutedThings: input.abortMinExecutedThings,
              },
            ],
          },
        }
      : {}),
    ...(input.inProgressTimeoutMinutes !== null ? { timeoutConfig: { inProgressTimeoutInMinutes: input.inProgressTimeoutMinutes } } : {}),
    ...(retries.length > 0 ? { jobExecutionsRetryConfig: { criteriaList: retries } } : {}),
  };
}
