import { z } from 'zod';
import { GUARD_DEFAULTS } from '../guard-decision';
import { ABORT_DEFAULTS, ROLLOUT_DEFAULTS, TIMEOUT_DEFAULTS } from '../model';
import { documentStepSchema, guardStepSchema, rolloutStepInput, safetyStepSchema, targetsStepInput, type CreateOtaJobInput } from '../schemas';
import { firmwareDocument, firmwareTemplateSchema } from '../templates';

/** The create-job wizard's state (number fields as typed) and the action input built from it. */
export interface WizardValues {
  integrationId: string;
  targetKind: 'groups' | 'things';
  groups: string[];
  things: string[];
  targetSelection: 'SNAPSHOT' | 'CONTINUOUS';
  documentMode: 'template' | 'json';
  firmwareVersion: string;
  firmwareUrl: string;
  sha256: string;
  documentJson: string;
  jobId: string;
  jobIdEdited: boolean;
  description: string;
  rolloutType: 'constant' | 'exponential';
  maximumPerMinute: string;
  baseRatePerMinute: string;
  incrementFactor: string;
  increaseCriterion: 'notified' | 'succeeded';
  increaseThreshold: string;
  abortEnabled: boolean;
  abortFailureType: 'ALL' | 'FAILED' | 'REJECTED' | 'TIMED_OUT';
  abortThresholdPercentage: string;
  abortMinExecutedThings: string;
  timeoutEnabled: boolean;
  inProgressTimeoutMinutes: string;
  retryFailed: string;
  retryTimedOut: string;
  /** Health guard: alert rules (none = no guard) and the decision's parameters. */
  guardRuleIds: string[];
  guardMinTreated: string;
  guardMarginPercent: string;
  guardConfidence: '0.9' | '0.95' | '0.99';
}

export type FieldErrors = Partial<Record<string, string[]>>;

export const WIZARD_STEPS = ['Targets', 'Job document', 'Rollout', 'Abort, timeout, retries', 'Review'] as const;

export function initialValues(integrationId: string): WizardValues {
  return {
    integrationId,
    targetKind: 'groups',
    groups: [],
    things: [],
    targetSelection: 'SNAPSHOT',
    documentMode: 'template',
    firmwareVersion: '',
    firmwareUrl: '',
    sha256: '',
    documentJson: '{\n  "operation": "firmware-update"\n}',
    jobId: '',
    jobIdEdited: false,
    description: '',
    rolloutType: ROLLOUT_DEFAULTS.rolloutType,
    maximumPerMinute: String(ROLLOUT_DEFAULTS.maximumPerMinute),
    baseRatePerMinute: String(ROLLOUT_DEFAULTS.baseRatePerMinute),
    incrementFactor: String(ROLLOUT_DEFAULTS.incrementFactor),
    increaseCriterion: ROLLOUT_DEFAULTS.increaseCriterion,
    increaseThreshold: String(ROLLOUT_DEFAULTS.increaseThreshold),
    abortEnabled: ABORT_DEFAULTS.abortEnabled,
    abortFailureType: ABORT_DEFAULTS.abortFailureType,
    abortThresholdPercentage: String(ABORT_DEFAULTS.abortThresholdPercentage),
    abortMinExecutedThings: String(ABORT_DEFAULTS.abortMinExecutedThings),
    timeoutEnabled: true,
    inProgressTimeoutMinutes: String(TIMEOUT_DEFAULTS.inProgressTimeoutMinutes),
    retryFailed: String(TIMEOUT_DEFAULTS.retryFailed),
    retryTimedOut: String(TIMEOUT_DEFAULTS.retryTimedOut),
    guardRuleIds: [],
    guardMinTreated: String(GUARD_DEFAULTS.minTreated),
    guardMarginPercent: String(GUARD_DEFAULTS.marginPercent),
    guardConfidence: String(GUARD_DEFAULTS.confidence) as WizardValues['guardConfidence'],
  };
}

/** '' and anything non-numeric become NaN, which the schema reports as "must be a number". */
const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));

/** The document the job will carry: the template's, or the JSON typed in. */
export function documentOf(v: WizardValues): string {
  if (v.documentMode === 'json') return v.documentJson;
  const parsed = firmwareTemplateSchema.safeParse(v);
  return parsed.success ? firmwareDocument(parsed.data) : '';
}

export function toInput(v: WizardValues): Record<keyof CreateOtaJobInput, unknown> {
  return {
    integrationId: v.integrationId,
    targetKind: v.targetKind,
    groups: v.targetKind === 'groups' ? v.groups : [],
    things: v.targetKind === 'things' ? v.things : [],
    targetSelection: v.targetKind === 'groups' ? v.targetSelection : 'SNAPSHOT',
    jobId: v.jobId.trim(),
    description: v.description,
    document: documentOf(v),
    rolloutType: v.rolloutType,
    maximumPerMinute: num(v.maximumPerMinute),
    baseRatePerMinute: num(v.baseRatePerMinute),
    incrementFactor: num(v.incrementFactor),
    increaseCriterion: v.increaseCriterion,
    increaseThreshold: num(v.increaseThreshold),
    abortEnabled: v.abortEnabled,
    abortFailureType: v.abortFailureType,
    abortThresholdPercentage: num(v.abortThresholdPercentage),
    abortMinExecutedThings: num(v.abortMinExecutedThings),
    inProgressTimeoutMinutes: v.timeoutEnabled ? num(v.inProgressTimeoutMinutes) : null,
    retryFailed: num(v.retryFailed),
    retryTimedOut: num(v.retryTimedOut),
    guardRuleIds: v.guardRuleIds,
    // Parameters of a guard that is off are not the user's concern: the defaults go.
    guardMinTreated: v.guardRuleIds.length > 0 ? num(v.guardMinTreated) : GUARD_DEFAULTS.minTreated,
    guardMarginPercent: v.guardRuleIds.length > 0 ? num(v.guardMarginPercent) : GUARD_DEFAULTS.marginPercent,
    guardConfidence: v.guardRuleIds.length > 0 ? Number(v.guardConfidence) : GUARD_DEFAULTS.confidence,
  };
}

function errorsOf(result: { success: boolean; error?: z.ZodError }): FieldErrors {
  return result.success || !result.error ? {} : (z.flattenError(result.error).fieldErrors as FieldErrors);
}

/** Field errors of one step (the same schemas the server applies). */
export function stepErrors(step: number, v: WizardValues): FieldErrors {
  const input = toInput(v);
  switch (step) {
    case 0:
      return errorsOf(targetsStepInput.safeParse(input));
    case 1: {
      const template = v.documentMode === 'template' ? errorsOf(firmwareTemplateSchema.safeParse(v)) : {};
      const doc = errorsOf(documentStepSchema.safeParse(input));
      // With a template, its own fields say what is wrong; the generated document needs no message.
      if (v.documentMode === 'template' && Object.keys(template).length > 0) delete doc.document;
      return { ...template, ...doc };
    }
    case 2:
      return errorsOf(rolloutStepInput.safeParse(input));
    case 3: {
      const errors = errorsOf(safetyStepSchema.safeParse(input));
      // A switched-off section cannot be wrong.
      if (!v.abortEnabled) for (const k of ['abortThresholdPercentage', 'abortMinExecutedThings']) delete errors[k];
      // Without guard rules the guard's parameters do not apply.
      const guard = v.guardRuleIds.length > 0 ? errorsOf(guardStepSchema.safeParse(input)) : {};
      return { ...errors, ...guard };
    }
    default:
      return {};
  }
}
