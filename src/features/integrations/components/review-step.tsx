'use client';

import type { ReactNode, Ref } from 'react';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import type { ActionError } from '@/lib/errors';
import { featuresFor, SYNC_MODE_LABELS, toStoredCapabilities } from '../capabilities';
import { regionLabel } from '../regions';
import { intervalLabel } from '../schemas';
import { budgetLabel } from './budget-choices';
import { FeatureList } from './feature-list';
import type { TestReport, WizardValues } from './wizard-model';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[12rem_1fr] sm:gap-4">
      <dt className="text-sm text-ink-muted">{label}</dt>
      <dd className="min-w-0 break-words text-sm text-ink">{children}</dd>
    </div>
  );
}

/** Step 5: everything that will be saved (the secret only as its hint), and the features it enables. */
export function ReviewStep({ values, report, externalId, saving, error, headingRef, onEdit, onBack, onSave }: {
  values: WizardValues;
  report: TestReport;
  externalId: string;
  saving: boolean;
  error: ActionError | null;
  headingRef: Ref<HTMLHeadingElement>;
  onEdit: (step: number) => void;
  onBack: () => void;
  onSave: () => void;
}) {
  const features = featuresFor(toStoredCapabilities(report), Boolean(values.timestreamDatabase && values.timestreamTable));
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
      className="space-y-5"
    >
      <div>
        <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold text-ink outline-none">
          Review and save
        </h2>
        <p className="mt-1 text-sm text-ink-muted">
          Saving tests the connection once more on the server and {values.authType === 'access_keys' ? 'encrypts the keys in the same request.' : 'stores the role and its External ID.'}
        </p>
      </div>

      <dl className="divide-y divide-line rounded-md border border-line px-4" data-testid="review">
        <Row label="Name">{values.name}</Row>
        <Row label="Region">
          {regionLabel(values.region)} <span className="font-mono text-xs text-ink-muted">({values.region})</span>
        </Row>
        {values.authType === 'access_keys' ? (
          <Row label="Access key">
            <span className="font-mono">{report.credentialsHint}</span> <span className="text-ink-muted">· secret stored encrypted</span>
          </Row>
        ) : (
          <>
            <Row label="Role">
              <span className="break-all font-mono text-xs">{values.roleArn}</span>
            </Row>
            <Row label="External ID">
              <span className="font-mono text-xs">{externalId}</span>
            </Row>
          </>
        )}
        <Row label="Endpoint">{values.customEndpoint ? <span className="font-mono text-xs">{values.customEndpoint}</span> : <span className="font-mono text-xs">{report.endpoint ?? 'AWS default'}</span>}</Row>
        <Row label="Timestream">{values.timestreamDatabase ? `${values.timestreamDatabase}.${values.timestreamTable}` : 'Not used'}</Row>
        <Row label="Sync mode">{report.syncMode ? SYNC_MODE_LABELS[report.syncMode] : '—'}</Row>
        <Row label="Schedule">
          {intervalLabel(values.syncIntervalSeconds)} · {budgetLabel(values.syncBudget)}
        </Row>
      </dl>

      <section aria-labelledby="review-features" className="space-y-2">
        <h3 id="review-features" className="text-sm font-semibold text-ink">
          What this connection enables
        </h3>
        <FeatureList features={features} />
      </section>

      {error ? (
        <div className="space-y-2">
          <FormError message={error.message} />
          {error.fieldErrors?.name ? (
            <Button type="button" size="sm" variant="secondary" onClick={() => onEdit(1)}>
              Change the name
            </Button>
          ) : null}
        </div>
      ) : null}

      <div className="flex justify-between gap-3">
        <Button type="button" variant="secondary" onClick={onBack} disabled={saving}>
          Back
        </Button>
        <Button type="submit" pending={saving}>
          {saving ? 'Saving…' : 'Save integration'}
        </Button>
      </div>
    </form>
  );
}
