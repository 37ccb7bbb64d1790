'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';
import { z } from 'zod';
import { Card } from '@/components/ui/card';
import type { ActionError } from '@/lib/errors';
import { paths } from '@/lib/paths';
import { createIntegrationAction, testConnectionAction } from '../actions';
import { detailsSchema, scheduleSchema, type Draft } from '../schemas';
import { ConnectionStep, type ConnectionDocuments } from './connection-step';
import { DetailsStep } from './details-step';
import { ReviewStep } from './review-step';
import { ScheduleStep } from './schedule-step';
import { TestStep } from './test-step';
import { WizardStepper } from './wizard-stepper';
import {
  CONNECTION_FIELDS,
  connectionPayload,
  detailsPayload,
  initialValues,
  type FieldErrors,
  type TestReport,
  type WizardValues,
} from './wizard-model';

interface TestState {
  /** The connection version it tested; a later edit makes it stale. */
  version: number;
  report: TestReport | null;
  error: ActionError | null;
}

/**
 * The multi-step "Connect AWS account" wizard. All steps share one state, so going back keeps
 * every value. Credentials leave the browser only in the test and save requests.
 */
export function IntegrationWizard({ orgSlug, draft, documents }: { orgSlug: string; draft: Draft; documents: ConnectionDocuments }) {
  const router = useRouter();
  const [step, setStep] = useState(0);
  const [visited, setVisited] = useState(0);
  const [values, setValues] = useState<WizardValues>(() => initialValues(documents.trustPolicy ? 'assume_role' : 'access_keys'));
  const [version, setVersion] = useState(0);
  const [detailErrors, setDetailErrors] = useState<FieldErrors>({});
  const [scheduleErrors, setScheduleErrors] = useState<FieldErrors>({});
  const [test, setTest] = useState<TestState | null>(null);
  const [saveError, setSaveError] = useState<ActionError | null>(null);
  const [testing, startTest] = useTransition();
  const [saving, startSave] = useTransition();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const mounted = useRef(false);

  // Move focus to the new step's heading so keyboard and screen-reader users start at its top.
  useEffect(() => {
    if (mounted.current) headingRef.current?.focus();
    mounted.current = true;
  }, [step]);

  const current = test && test.version === version ? test : null;
  const passed = Boolean(current?.report?.canSave);
  const reachable = passed ? visited : Math.min(visited, 2);

  function go(next: number) {
    setStep(next);
    setVisited((v) => Math.max(v, next));
  }

  function update(patch: Partial<WizardValues>) {
    setValues((v) => ({ ...v, ...patch }));
    if ((Object.keys(patch) as (keyof WizardValues)[]).some((k) => CONNECTION_FIELDS.includes(k))) {
      setVersion((n) => n + 1);
      setSaveError(null);
    }
  }

  function runTest() {
    const tested = version;
    const connection = connectionPayload(values);
    startTest(async () => {
      const result = await testConnectionAction(orgSlug, { draft, connection });
      setTest(result.ok ? { version: tested, report: result.data, error: null } : { version: tested, report: null, error: result.error });
    });
  }

  /** Validates the details with the server's schema; on failure shows them with their errors. */
  function detailsValid(): boolean {
    const parsed = detailsSchema.safeParse(detailsPayload(values));
    if (!parsed.success) {
      setDetailErrors(z.flattenError(parsed.error).fieldErrors as FieldErrors);
      setStep(1);
      return false;
    }
    setDetailErrors({});
    return true;
  }

  function submitDetails() {
    if (!detailsValid()) return;
    go(2);
    if (!current) runTest();
  }

  function retest() {
    if (detailsValid()) runTest();
  }

  function submitSchedule() {
    const parsed = scheduleSchema.safeParse({ syncIntervalSeconds: values.syncIntervalSeconds, syncBudget: values.syncBudget });
    if (!parsed.success) {
      setScheduleErrors(z.flattenError(parsed.error).fieldErrors as FieldErrors);
      return;
    }
    setScheduleErrors({});
    go(4);
  }

  function save() {
    setSaveError(null);
    startSave(async () => {
      const result = await createIntegrationAction(orgSlug, {
        draft,
        details: detailsPayload(values),
        schedule: { syncIntervalSeconds: values.syncIntervalSeconds, syncBudget: values.syncBudget },
      });
      if (!result.ok) {
        setSaveError(result.error);
        return;
      }
      // The secret has done its job; drop it from memory before leaving.
      setValues((v) => ({ ...v, secretAccessKey: '' }));
      router.push(`${paths.integration(orgSlug, result.data.id)}?created=1`);
    });
  }

  return (
    <div className="mx-auto max-w-4xl">
      <WizardStepper step={step} reachable={reachable} onSelect={(s) => setStep(s)} />
      <Card>
        {step === 0 ? (
          <ConnectionStep values={values} documents={documents} headingRef={headingRef} onChange={update} onContinue={() => go(1)} />
        ) : step === 1 ? (
          <DetailsStep values={values} errors={detailErrors} headingRef={headingRef} onChange={update} onBack={() => setStep(0)} onContinue={submitDetails} />
        ) : step === 2 ? (
          <TestStep
            report={test?.report ?? null}
            error={test?.error ?? null}
            stale={Boolean(test) && !current}
            testing={testing}
            headingRef={headingRef}
            onRetest={retest}
            onBack={() => setStep(1)}
            onContinue={() => go(3)}
          />
        ) : step === 3 ? (
          <ScheduleStep values={values} errors={scheduleErrors} headingRef={headingRef} onChange={update} onBack={() => setStep(2)} onContinue={submitSchedule} />
        ) : current?.report ? (
          <ReviewStep
            values={values}
            report={current.report}
            externalId={draft.externalId}
            saving={saving}
            error={saveError}
            headingRef={headingRef}
            onEdit={(s) => setStep(s)}
            onBack={() => setStep(3)}
            onSave={save}
          />
        ) : null}
      </Card>
    </div>
  );
}
