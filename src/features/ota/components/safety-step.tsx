'use client';

import type { Ref } from 'react';
import { StepForm } from '@/features/integrations/components/step-form';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import type { GuardableRuleDto } from '@/features/alerts/guards';
import { ABORT_FAILURE_LABELS, ABORT_FAILURE_TYPES } from '../model';
import { GuardFieldset } from './guard-fieldset';
import type { FieldErrors, WizardValues } from './wizard-values';

/** In words, with the numbers as typed: when AWS stops the rollout. */
export function abortSentence(v: WizardValues): string {
  if (!v.abortEnabled) return 'No automatic abort: the rollout continues whatever fails.';
  return `AWS cancels the job when ${v.abortThresholdPercentage || '?'} % or more of the things that ran ${ABORT_FAILURE_LABELS[v.abortFailureType]}, once at least ${v.abortMinExecutedThings || '?'} ran. Queued devices then never get it; running ones finish.`;
}

/** Step 4: abort criteria, the health guard, the in-progress timeout and retries, each with the default stated. */
export function SafetyStep({ orgSlug, guardRules, values, errors, headingRef, onChange, onBack, onContinue }: {
  orgSlug: string;
  guardRules: GuardableRuleDto[];
  values: WizardValues;
  errors: FieldErrors;
  headingRef: Ref<HTMLHeadingElement>;
  onChange: (patch: Partial<WizardValues>) => void;
  onBack: () => void;
  onContinue: () => void;
}) {
  const field = (name: keyof WizardValues, extra: { step?: string; min?: number; max?: number } = {}) => ({
    id: `ota-${name}`,
    type: 'number',
    inputMode: 'decimal' as const,
    value: String(values[name]),
    invalid: Boolean(errors[name]),
    onChange: (e: { target: { value: string } }) => onChange({ [name]: e.target.value }),
    ...extra,
  });
  return (
    <StepForm title="Abort, timeout and retries" description="What stops a bad rollout, and how long a device may take." headingRef={headingRef} onContinue={onContinue}>
      <fieldset className="space-y-3 rounded-lg border border-line p-4">
        <legend className="px-1 text-sm font-medium text-ink">Abort</legend>
        <label className="flex items-center gap-2 text-sm text-ink">
          <input type="checkbox" className="size-4 accent-brand-600" checked={values.abortEnabled} onChange={(e) => onChange({ abortEnabled: e.target.checked })} />
          Abort the rollout when too many updates fail (recommended)
        </label>
        {values.abortEnabled ? (
          <div className="grid gap-4 sm:grid-cols-3">
            <Field id="ota-abortFailureType" label="Counting things that" hint="Default: failed, rejected or timed out.">
              <Select id="ota-abortFailureType" value={values.abortFailureType} onChange={(e) => onChange({ abortFailureType: e.target.value as WizardValues['abortFailureType'] })}>
                {ABORT_FAILURE_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {ABORT_FAILURE_LABELS[t]}
                  </option>
                ))}
              </Select>
            </Field>
            <Field id="ota-abortThresholdPercentage" label="Threshold (%)" hint="Default 10 %." errors={errors.abortThresholdPercentage}>
              <Input {...field('abortThresholdPercentage', { min: 0.01, max: 100, step: '0.01' })} />
            </Field>
            <Field id="ota-abortMinExecutedThings" label="After at least (things)" hint="Default 10, so one early failure cannot abort." errors={errors.abortMinExecutedThings}>
              <Input {...field('abortMinExecutedThings', { min: 1, step: '1' })} />
            </Field>
          </div>
        ) : null}
        <p className="text-sm text-ink-muted" data-testid="abort-sentence">
          {abortSentence(values)}
        </p>
      </fieldset>

      <GuardFieldset orgSlug={orgSlug} rules={guardRules} values={values} errors={errors} onChange={onChange} />

      <fieldset className="space-y-3 rounded-lg border border-line p-4">
        <legend className="px-1 text-sm font-medium text-ink">Timeout</legend>
        <label className="flex items-center gap-2 text-sm text-ink">
          <input type="checkbox" className="size-4 accent-brand-600" checked={values.timeoutEnabled} onChange={(e) => onChange({ timeoutEnabled: e.target.checked })} />
          Give up on a device that stays in progress too long
        </label>
        {values.timeoutEnabled ? (
          <div className="grid gap-4 sm:grid-cols-3">
            <Field id="ota-inProgressTimeoutMinutes" label="Minutes in progress" hint="1–10,080 (7 days); default 60. Then the execution is TIMED_OUT." errors={errors.inProgressTimeoutMinutes}>
              <Input {...field('inProgressTimeoutMinutes', { min: 1, max: 10_080, step: '1' })} />
            </Field>
          </div>
        ) : (
          <p className="text-sm text-ink-muted">Without a timeout, a device that hangs keeps its execution IN_PROGRESS forever.</p>
        )}
      </fieldset>

      <fieldset className="space-y-3 rounded-lg border border-line p-4">
        <legend className="px-1 text-sm font-medium text-ink">Retries</legend>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field id="ota-retryFailed" label="Retries after FAILED" hint="0–10; default 2." errors={errors.retryFailed}>
            <Input {...field('retryFailed', { min: 0, max: 10, step: '1' })} />
          </Field>
          <Field id="ota-retryTimedOut" label="Retries after TIMED_OUT" hint={values.timeoutEnabled ? '0–10; default 2.' : 'Needs a timeout to apply.'} errors={errors.retryTimedOut}>
            <Input {...field('retryTimedOut', { min: 0, max: 10, step: '1' })} disabled={!values.timeoutEnabled} />
          </Field>
        </div>
      </fieldset>

      <div className="flex justify-between gap-3">
        <Button type="button" variant="secondary" onClick={onBack}>
          Back
        </Button>
        <Button type="submit">Continue</Button>
      </div>
    </StepForm>
  );
}
