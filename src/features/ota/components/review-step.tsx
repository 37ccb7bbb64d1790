'use client';

import type { ReactNode, Ref } from 'react';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import type { GuardableRuleDto } from '@/features/alerts/guards';
import type { ActionError } from '@/lib/errors';
import type { JobIntegrationDto, TargetGroupDto } from '../queries';
import { prettyDocument } from '../templates';
import { number } from './format';
import { rolloutSentence } from './rollout-step';
import { guardSentence } from './guard-fieldset';
import { abortSentence } from './safety-step';
import { documentOf, type WizardValues } from './wizard-values';

function Row({ label, step, onEdit, children }: { label: string; step: number; onEdit: (step: number) => void; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-[10rem_1fr_auto] sm:gap-4">
      <dt className="text-sm text-ink-muted">{label}</dt>
      <dd className="min-w-0 break-words text-sm text-ink">{children}</dd>
      <dd>
        <button type="button" onClick={() => onEdit(step)} className="text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">
          Edit<span className="sr-only"> {label.toLowerCase()}</span>
        </button>
      </dd>
    </div>
  );
}

/** Step 5: everything AWS will receive, in words, before the job is launched. */
export function ReviewStep({ values, integrations, groups, guardRules, saving, error, headingRef, onEdit, onBack, onLaunch }: {
  values: WizardValues;
  integrations: JobIntegrationDto[];
  groups: TargetGroupDto[];
  guardRules: GuardableRuleDto[];
  saving: boolean;
  error: ActionError | null;
  headingRef: Ref<HTMLHeadingElement>;
  onEdit: (step: number) => void;
  onBack: () => void;
  onLaunch: () => void;
}) {
  const integration = integrations.find((i) => i.id === values.integrationId);
  const chosen = groups.filter((g) => g.integrationId === values.integrationId && values.groups.includes(g.name));
  const approx = chosen.reduce((n, g) => n + g.things, 0);
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onLaunch();
      }}
      className="space-y-5"
    >
      <div>
        <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold text-ink outline-none">
          Review and launch
        </h2>
        <p className="mt-1 text-sm text-ink-muted">Launching creates the job in AWS right away; devices are notified at the rollout rate.</p>
      </div>
      <dl className="divide-y divide-line rounded-md border border-line px-4" data-testid="review">
        <Row label="AWS account" step={0} onEdit={onEdit}>
          {integration ? `${integration.name} (${integration.region})` : '—'}
        </Row>
        <Row label="Targets" step={0} onEdit={onEdit}>
          {values.targetKind === 'groups' ? (
            <>
              Thing groups <span className="font-mono text-xs">{values.groups.join(', ')}</span> — about {number.format(approx)} things,{' '}
              {values.targetSelection === 'CONTINUOUS' ? 'continuous (later members too)' : 'snapshot'}
            </>
          ) : (
            <>
              {values.things.length} things: <span className="font-mono text-xs">{values.things.slice(0, 10).join(', ')}{values.things.length > 10 ? '…' : ''}</span>
            </>
          )}
        </Row>
        <Row label="Job id" step={1} onEdit={onEdit}>
          <span className="font-mono">{values.jobId}</span>
          {values.description ? <span className="block text-ink-muted">{values.description}</span> : null}
        </Row>
        <Row label="Document" step={1} onEdit={onEdit}>
          <pre className="max-h-48 overflow-auto rounded bg-surface-muted p-2 font-mono text-xs">{prettyDocument(documentOf(values))}</pre>
        </Row>
        <Row label="Rollout" step={2} onEdit={onEdit}>
          {rolloutSentence(values)}
        </Row>
        <Row label="Abort" step={3} onEdit={onEdit}>
          {abortSentence(values)}
        </Row>
        <Row label="Health guard" step={3} onEdit={onEdit}>
          {guardSentence(values, guardRules)}
        </Row>
        <Row label="Timeout" step={3} onEdit={onEdit}>
          {values.timeoutEnabled ? `${values.inProgressTimeoutMinutes} minutes in progress, then TIMED_OUT` : 'None'}
        </Row>
        <Row label="Retries" step={3} onEdit={onEdit}>
          {`${values.retryFailed}× after FAILED`}
          {values.timeoutEnabled ? `, ${values.retryTimedOut}× after TIMED_OUT` : ''}
        </Row>
      </dl>
      {error ? <FormError message={error.message} /> : null}
      <div className="flex justify-between gap-3">
        <Button type="button" variant="secondary" onClick={onBack} disabled={saving}>
          Back
        </Button>
        <Button type="submit" pending={saving}>
          {saving ? 'Launching…' : 'Launch job'}
        </Button>
      </div>
    </form>
  );
}
