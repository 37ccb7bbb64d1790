'use client';

import type { Ref } from 'react';
import { StepForm } from '@/features/integrations/components/step-form';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { LIMITS } from '../model';
import { prettyDocument } from '../templates';
import { documentOf, type FieldErrors, type WizardValues } from './wizard-values';

const choice = 'flex cursor-pointer items-start gap-3 rounded-lg border border-line p-3 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50 dark:has-[:checked]:bg-brand-950';
const textarea =
  'block w-full rounded-md border border-line bg-surface px-3 py-2 font-mono text-xs text-ink shadow-xs focus:border-brand-500 focus:outline-2 focus:outline-brand-500/30 aria-[invalid=true]:border-danger-500';

/** Step 2: the job id and the document devices receive, from the firmware template or as JSON. */
export function DocumentStep({ values, errors, headingRef, onChange, onBack, onContinue }: {
  values: WizardValues;
  errors: FieldErrors;
  headingRef: Ref<HTMLHeadingElement>;
  onChange: (patch: Partial<WizardValues>) => void;
  onBack: () => void;
  onContinue: () => void;
}) {
  const generated = values.documentMode === 'template' ? documentOf(values) : '';
  return (
    <StepForm title="Job document" description="What the devices receive: the firmware to install, as your device agent expects it." headingRef={headingRef} onContinue={onContinue}>
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-ink">Document</legend>
        <div className="grid gap-3 sm:grid-cols-2">
          <label className={choice}>
            <input type="radio" name="documentMode" className="mt-0.5 accent-brand-600" checked={values.documentMode === 'template'} onChange={() => onChange({ documentMode: 'template' })} />
            <span>
              <span className="font-medium text-ink">Firmware update template</span>
              <span className="block text-ink-muted">A version and the URL of the image.</span>
            </span>
          </label>
          <label className={choice}>
            <input
              type="radio"
              name="documentMode"
              className="mt-0.5 accent-brand-600"
              checked={values.documentMode === 'json'}
              onChange={() => onChange({ documentMode: 'json', ...(generated ? { documentJson: generated } : {}) })}
            />
            <span>
              <span className="font-medium text-ink">JSON</span>
              <span className="block text-ink-muted">Any JSON object up to 32 KB{generated ? ', starting from the template' : ''}.</span>
            </span>
          </label>
        </div>
      </fieldset>

      {values.documentMode === 'template' ? (
        <div className="space-y-4">
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="ota-firmwareVersion" label="Firmware version" hint="Devices report it back once installed, e.g. 2.1.0." errors={errors.firmwareVersion}>
              <Input
                id="ota-firmwareVersion"
                value={values.firmwareVersion}
                onChange={(e) => onChange({ firmwareVersion: e.target.value })}
                invalid={!!errors.firmwareVersion}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field id="ota-sha256" label="SHA-256 (optional)" hint="Lets devices verify the download." errors={errors.sha256}>
              <Input id="ota-sha256" value={values.sha256} onChange={(e) => onChange({ sha256: e.target.value })} invalid={!!errors.sha256} autoComplete="off" spellCheck={false} className="font-mono" />
            </Field>
          </div>
          <Field id="ota-firmwareUrl" label="Firmware URL" hint="An https:// URL the devices can download, e.g. a pre-signed S3 or CDN link." errors={errors.firmwareUrl}>
            <Input
              id="ota-firmwareUrl"
              type="url"
              inputMode="url"
              value={values.firmwareUrl}
              onChange={(e) => onChange({ firmwareUrl: e.target.value })}
              invalid={!!errors.firmwareUrl}
              autoComplete="off"
              spellCheck={false}
              placeholder="https://firmware.example.com/sensor-2.1.0.bin"
            />
          </Field>
          {generated ? (
            <div>
              <p className="mb-1 text-xs font-medium text-ink-muted">Document</p>
              <pre className="overflow-auto rounded-md bg-surface-muted p-3 font-mono text-xs text-ink">{prettyDocument(generated)}</pre>
            </div>
          ) : null}
        </div>
      ) : (
        <Field id="ota-document" label="Job document (JSON)" hint={`${values.documentJson.length.toLocaleString('en')} of ${LIMITS.documentChars.toLocaleString('en')} characters.`} errors={errors.document}>
          <textarea
            id="ota-document"
            value={values.documentJson}
            onChange={(e) => onChange({ documentJson: e.target.value })}
            rows={10}
            spellCheck={false}
            aria-invalid={errors.document ? true : undefined}
            aria-describedby={errors.document ? 'ota-document-error' : 'ota-document-hint'}
            className={textarea}
          />
        </Field>
      )}

      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="ota-jobId" label="Job id" hint="Unique in the AWS account: letters, digits, - and _ (max 64)." errors={errors.jobId}>
          <Input
            id="ota-jobId"
            value={values.jobId}
            onChange={(e) => onChange({ jobId: e.target.value, jobIdEdited: true })}
            invalid={!!errors.jobId}
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
          />
        </Field>
        <Field id="ota-description" label="Description (optional)" errors={errors.description}>
          <Input id="ota-description" value={values.description} onChange={(e) => onChange({ description: e.target.value })} invalid={!!errors.description} maxLength={LIMITS.descriptionChars} />
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
