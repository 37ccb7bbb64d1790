'use client';

import type { Ref } from 'react';
import { StepForm } from '@/features/integrations/components/step-form';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { ROLLOUT_DEFAULTS } from '../model';
import type { FieldErrors, WizardValues } from './wizard-values';

const choice = 'flex cursor-pointer items-start gap-3 rounded-lg border border-line p-3 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50 dark:has-[:checked]:bg-brand-950';

/** In words, with the numbers as typed: what the rollout will do. */
export function rolloutSentence(v: WizardValues): string {
  if (v.rolloutType === 'constant') return `AWS notifies up to ${v.maximumPerMinute || '?'} things a minute until every target has the job.`;
  const after = v.increaseCriterion === 'succeeded' ? 'succeed' : 'are notified';
  return `AWS starts with ${v.baseRatePerMinute || '?'} things a minute (the canary); each time ${v.increaseThreshold || '?'} more things ${after}, the rate grows ×${v.incrementFactor || '?'}, up to ${v.maximumPerMinute || '?'} a minute.`;
}

/** Step 3: how fast AWS notifies devices — exponential (a canary, then growth) or constant. */
export function RolloutStep({ values, errors, headingRef, onChange, onBack, onContinue }: {
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
    <StepForm title="Rollout" description="How fast AWS notifies devices. Start small: problems show up on a few devices, not the whole fleet." headingRef={headingRef} onContinue={onContinue}>
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-ink">Rate</legend>
        <div className="grid gap-3 sm:grid-cols-2">
          <label className={choice}>
            <input type="radio" name="rolloutType" className="mt-0.5 accent-brand-600" checked={values.rolloutType === 'exponential'} onChange={() => onChange({ rolloutType: 'exponential' })} />
            <span>
              <span className="font-medium text-ink">Exponential (recommended)</span>
              <span className="block text-ink-muted">
                A canary of {ROLLOUT_DEFAULTS.baseRatePerMinute} things a minute, doubling after every {ROLLOUT_DEFAULTS.increaseThreshold} successes.
              </span>
            </span>
          </label>
          <label className={choice}>
            <input type="radio" name="rolloutType" className="mt-0.5 accent-brand-600" checked={values.rolloutType === 'constant'} onChange={() => onChange({ rolloutType: 'constant' })} />
            <span>
              <span className="font-medium text-ink">Constant</span>
              <span className="block text-ink-muted">The same number of things every minute.</span>
            </span>
          </label>
        </div>
      </fieldset>

      {values.rolloutType === 'exponential' ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="ota-baseRatePerMinute" label="Starting rate (things per minute)" hint="1–1,000; default 5." errors={errors.baseRatePerMinute}>
            <Input {...field('baseRatePerMinute', { min: 1, max: 1000, step: '1' })} />
          </Field>
          <Field id="ota-incrementFactor" label="Growth factor" hint="1.1–5, one decimal; default 2 (doubling)." errors={errors.incrementFactor}>
            <Input {...field('incrementFactor', { min: 1.1, max: 5, step: '0.1' })} />
          </Field>
          <Field id="ota-increaseThreshold" label="Grow after this many things" hint="Default 5." errors={errors.increaseThreshold}>
            <Input {...field('increaseThreshold', { min: 1, step: '1' })} />
          </Field>
          <Field id="ota-increaseCriterion" label="…that have" hint="Succeeded is safer: growth waits for proof the update works.">
            <Select id="ota-increaseCriterion" value={values.increaseCriterion} onChange={(e) => onChange({ increaseCriterion: e.target.value as WizardValues['increaseCriterion'] })}>
              <option value="succeeded">succeeded</option>
              <option value="notified">been notified</option>
            </Select>
          </Field>
          <Field id="ota-maximumPerMinute" label="Maximum rate (things per minute)" hint="1–1,000; default 100." errors={errors.maximumPerMinute}>
            <Input {...field('maximumPerMinute', { min: 1, max: 1000, step: '1' })} />
          </Field>
        </div>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="ota-maximumPerMinute" label="Rate (things per minute)" hint="1–1,000." errors={errors.maximumPerMinute}>
            <Input {...field('maximumPerMinute', { min: 1, max: 1000, step: '1' })} />
          </Field>
        </div>
      )}
      <p className="rounded-md bg-surface-muted px-3 py-2 text-sm text-ink" data-testid="rollout-sentence">
        {rolloutSentence(values)}
      </p>

      <div className="flex justify-between gap-3">
        <Button type="button" variant="secondary" onClick={onBack}>
          Back
        </Button>
        <Button type="submit">Continue</Button>
      </div>
    </StepForm>
  );
}
