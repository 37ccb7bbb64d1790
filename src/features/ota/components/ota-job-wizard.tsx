'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';
import { Card } from '@/components/ui/card';
import type { GuardableRuleDto } from '@/features/alerts/guards';
import type { ActionError } from '@/lib/errors';
import { paths } from '@/lib/paths';
import { createOtaJobAction } from '../actions';
import type { JobIntegrationDto, TargetGroupDto } from '../queries';
import { STEP_FIELDS } from '../schemas';
import { suggestJobId } from '../templates';
import { DocumentStep } from './document-step';
import { JobWizardStepper } from './job-wizard-stepper';
import { ReviewStep } from './review-step';
import { RolloutStep } from './rollout-step';
import { SafetyStep } from './safety-step';
import { TargetsStep } from './targets-step';
import { initialValues, stepErrors, toInput, type FieldErrors, type WizardValues } from './wizard-values';

/**
 * The create-job wizard. One state for all steps (going back keeps every value); each step checks
 * its fields with the server's schemas; the server checks everything again and may send the user
 * back to the step a refusal belongs to.
 */
export function OtaJobWizard({ orgSlug, integrations, groups, guardRules }: {
  orgSlug: string;
  integrations: JobIntegrationDto[];
  groups: TargetGroupDto[];
  /** Alert rules that may guard the rollout (device rules of the organization). */
  guardRules: GuardableRuleDto[];
}) {
  const router = useRouter();
  const [step, setStep] = useState(0);
  const [visited, setVisited] = useState(0);
  const [values, setValues] = useState<WizardValues>(() => initialValues(integrations.find((i) => !i.paused)?.id ?? integrations[0]?.id ?? ''));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saveError, setSaveError] = useState<ActionError | null>(null);
  const [saving, startSave] = useTransition();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const mounted = useRef(false);

  useEffect(() => {
    if (mounted.current) headingRef.current?.focus();
    mounted.current = true;
  }, [step]);

  function update(patch: Partial<WizardValues>) {
    setValues((v) => {
      const next = { ...v, ...patch };
      // The job id follows the firmware version until the user types one.
      if ('firmwareVersion' in patch && !next.jobIdEdited) next.jobId = next.firmwareVersion.trim() ? suggestJobId(next.firmwareVersion, new Date()) : '';
      return next;
    });
    setSaveError(null);
  }

  function go(next: number) {
    setErrors({});
    setStep(next);
    setVisited((v) => Math.max(v, next));
  }

  function continueFrom(current: number) {
    const found = stepErrors(current, values);
    setErrors(found);
    if (Object.keys(found).length === 0) go(current + 1);
  }

  function launch() {
    setSaveError(null);
    startSave(async () => {
      const result = await createOtaJobAction(orgSlug, toInput(values));
      if (result.ok) {
        router.push(paths.otaJob(orgSlug, result.data.id));
        return;
      }
      const fields = result.error.fieldErrors ?? {};
      const target = STEP_FIELDS.findIndex((names) => names.some((n) => fields[n]?.length));
      if (target >= 0) {
        setErrors(fields);
        setStep(target);
      }
      setSaveError(result.error);
    });
  }

  const shared = { values, errors, headingRef, onChange: update };
  return (
    <div className="mx-auto max-w-4xl">
      <JobWizardStepper step={step} reachable={visited} onSelect={(s) => { setErrors({}); setStep(s); }} />
      <Card>
        {saveError && step < 4 ? <p role="alert" className="mb-4 text-sm text-danger-700 dark:text-danger-300">{saveError.message}</p> : null}
        {step === 0 ? (
          <TargetsStep {...shared} orgSlug={orgSlug} integrations={integrations} groups={groups} onContinue={() => continueFrom(0)} />
        ) : step === 1 ? (
          <DocumentStep {...shared} onBack={() => go(0)} onContinue={() => continueFrom(1)} />
        ) : step === 2 ? (
          <RolloutStep {...shared} onBack={() => go(1)} onContinue={() => continueFrom(2)} />
        ) : step === 3 ? (
          <SafetyStep {...shared} orgSlug={orgSlug} guardRules={guardRules} onBack={() => go(2)} onContinue={() => continueFrom(3)} />
        ) : (
          <ReviewStep
            values={values}
            integrations={integrations}
            groups={groups}
            guardRules={guardRules}
            saving={saving}
            error={saveError}
            headingRef={headingRef}
            onEdit={(s) => go(s)}
            onBack={() => go(3)}
            onLaunch={launch}
          />
        )}
      </Card>
    </div>
  );
}
