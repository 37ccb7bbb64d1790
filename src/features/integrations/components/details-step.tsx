'use client';

import { useState, type Ref } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { IOT_REGIONS } from '../regions';
import type { FieldErrors, WizardValues } from './wizard-model';
import { StepForm } from './step-form';

/** Step 2: name, region, the credentials or role, and the advanced connection settings. */
export function DetailsStep({ values, errors, headingRef, onChange, onBack, onContinue }: {
  values: WizardValues;
  errors: FieldErrors;
  headingRef: Ref<HTMLHeadingElement>;
  onChange: (patch: Partial<WizardValues>) => void;
  onBack: () => void;
  onContinue: () => void;
}) {
  const [advancedOpen, setAdvancedOpen] = useState(
    Boolean(values.customEndpoint || values.timestreamDatabase || values.timestreamTable || errors.customEndpoint || errors.timestreamDatabase || errors.timestreamTable),
  );
  const advancedErrors = Boolean(errors.customEndpoint || errors.timestreamDatabase || errors.timestreamTable);
  const field = (name: keyof WizardValues) => ({
    id: `wizard-${name}`,
    name,
    value: String(values[name]),
    invalid: Boolean(errors[name]),
    onChange: (e: { target: { value: string } }) => onChange({ [name]: e.target.value }),
  });

  return (
    <StepForm title="Connection details" description={values.authType === 'assume_role' ? 'The role you created and where your fleet lives.' : 'The access key and where your fleet lives.'} headingRef={headingRef} onContinue={onContinue}>

      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="wizard-name" label="Name" hint="Shown in Fleetline only, e.g. “Production eu-west-1”." errors={errors.name}>
          <Input {...field('name')} autoComplete="off" maxLength={80} />
        </Field>
        <Field id="wizard-region" label="AWS region" hint="Regions where AWS IoT Core is available." errors={errors.region}>
          <Select {...field('region')}>
            {IOT_REGIONS.map((r) => (
              <option key={r.code} value={r.code}>
                {r.label} ({r.code})
              </option>
            ))}
          </Select>
        </Field>
      </div>

      {values.authType === 'access_keys' ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="wizard-accessKeyId" label="Access key id" hint="AKIA… (or ASIA…) followed by 16 characters." errors={errors.accessKeyId}>
            <Input {...field('accessKeyId')} autoComplete="off" spellCheck={false} className="font-mono" placeholder="AKIA…" />
          </Field>
          <Field id="wizard-secretAccessKey" label="Secret access key" hint="Encrypted on the server before it is stored; never shown again." errors={errors.secretAccessKey}>
            <Input {...field('secretAccessKey')} type="password" autoComplete="off" spellCheck={false} className="font-mono" />
          </Field>
        </div>
      ) : (
        <Field id="wizard-roleArn" label="Role ARN" hint="The RoleArn output of the stack, or the ARN on the role’s summary page." errors={errors.roleArn}>
          <Input {...field('roleArn')} autoComplete="off" spellCheck={false} className="font-mono" placeholder="arn:aws:iam::123456789012:role/FleetlineAccess" />
        </Field>
      )}

      <details
        open={advancedOpen || advancedErrors}
        onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}
        className="rounded-lg border border-line"
      >
        <summary className="cursor-pointer select-none px-4 py-3 text-sm font-medium text-ink">Advanced: custom endpoint and Timestream</summary>
        <div className="space-y-4 border-t border-line px-4 py-4">
          <Field
            id="wizard-customEndpoint"
            label="Custom endpoint"
            hint="The local simulator, LocalStack or a VPC endpoint, used for every AWS service. https, or plain http for localhost only."
            errors={errors.customEndpoint}
          >
            <Input {...field('customEndpoint')} type="url" inputMode="url" autoComplete="off" spellCheck={false} placeholder="https://vpce-…amazonaws.com" />
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="wizard-timestreamDatabase" label="Timestream database" hint="Optional." errors={errors.timestreamDatabase}>
              <Input {...field('timestreamDatabase')} autoComplete="off" spellCheck={false} />
            </Field>
            <Field id="wizard-timestreamTable" label="Timestream table" hint="Optional; needs the database." errors={errors.timestreamTable}>
              <Input {...field('timestreamTable')} autoComplete="off" spellCheck={false} />
            </Field>
          </div>
          <p className="text-xs text-ink-muted">
            Timestream for LiveAnalytics closed to new customers on 20 June 2025. Without it, telemetry charts use the shadow history Fleetline
            records itself.
          </p>
        </div>
      </details>

      <div className="flex justify-between gap-3">
        <Button type="button" variant="secondary" onClick={onBack}>
          Back
        </Button>
        <Button type="submit">Test connection</Button>
      </div>
    </StepForm>
  );
}
