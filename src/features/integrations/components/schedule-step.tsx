'use client';

import type { Ref } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Select } from '@/components/ui/field';
import { SYNC_INTERVAL_CHOICES } from '../schemas';
import { BUDGET_CHOICES } from './budget-choices';
import type { FieldErrors, WizardValues } from './wizard-model';
import { StepForm } from './step-form';

/** Step 4: how often Fleetline syncs and how much of the AWS API quotas it may use. */
export function ScheduleStep({ values, errors, headingRef, onChange, onBack, onContinue }: {
  values: WizardValues;
  errors: FieldErrors;
  headingRef: Ref<HTMLHeadingElement>;
  onChange: (patch: Partial<WizardValues>) => void;
  onBack: () => void;
  onContinue: () => void;
}) {
  return (
    <StepForm title="Schedule" description={'You can change both later on the integration’s page.'} headingRef={headingRef} onContinue={onContinue}>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="wizard-interval" label="Sync interval" hint="A full sync of the registry, shadows and connectivity." errors={errors.syncIntervalSeconds}>
          <Select id="wizard-interval" value={values.syncIntervalSeconds} onChange={(e) => onChange({ syncIntervalSeconds: Number(e.target.value) })}>
            {SYNC_INTERVAL_CHOICES.map((c) => (
              <option key={c.seconds} value={c.seconds}>
                {c.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          id="wizard-budget"
          label="Sync budget"
          hint="The share of each AWS API quota (e.g. ListThings 10/s) Fleetline may use, leaving the rest to your own tools."
          errors={errors.syncBudget}
        >
          <Select id="wizard-budget" value={values.syncBudget} onChange={(e) => onChange({ syncBudget: Number(e.target.value) })}>
            {BUDGET_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <div className="flex justify-between gap-3">
        <Button type="button" variant="secondary" onClick={onBack}>
          Back
        </Button>
        <Button type="submit">Continue</Button>
      </div>
    </StepForm>
  );
}
