'use client';

import type { Ref } from 'react';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import type { ActionError } from '@/lib/errors';
import { SYNC_MODE_LABELS, type AuthFailureKind } from '../capabilities';
import { CheckList } from './check-list';
import type { TestReport } from './wizard-model';

const FAILURE_TITLES: Record<AuthFailureKind, string> = {
  invalid_key: 'AWS refused the credentials',
  invalid_secret: 'AWS refused the credentials',
  expired: 'AWS refused the credentials',
  assume_role: 'The role could not be assumed',
  trust_policy: 'The role is not protected by the External ID',
  unreachable: 'AWS could not be reached',
  other: 'AWS refused the request',
};

/** Step 3: the preflight's result, one line per permission; saving needs a passing test. */
export function TestStep({ report, error, stale, testing, headingRef, onRetest, onBack, onContinue }: {
  report: TestReport | null;
  error: ActionError | null;
  stale: boolean;
  testing: boolean;
  headingRef: Ref<HTMLHeadingElement>;
  onRetest: () => void;
  onBack: () => void;
  onContinue: () => void;
}) {
  const failed = report?.checks.filter((c) => c.status === 'failed').length ?? 0;
  const summary = testing
    ? 'Testing the connection…'
    : stale
      ? 'The details changed since the last test.'
      : error
        ? 'The test could not run.'
        : !report
          ? 'Not tested yet.'
          : report.authFailure
            ? 'Authentication failed.'
            : report.canSave
              ? failed === 0
                ? 'Connected. Every permission Fleetline tests is granted.'
                : `Connected. ${failed} optional permission${failed === 1 ? ' is' : 's are'} missing; the features that need ${failed === 1 ? 'it' : 'them'} will be disabled.`
              : 'Connected, but a required permission is missing.';

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (report?.canSave && !stale && !testing) onContinue();
      }}
      className="space-y-5"
    >
      <div>
        <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold text-ink outline-none">
          Test connection
        </h2>
        <p className="mt-1 text-sm text-ink-muted">
          Fleetline discovers your IoT data endpoint, then makes one cheap, read-only call per permission.
        </p>
      </div>

      <p role="status" aria-live="polite" data-testid="test-summary" className="flex items-center gap-2 text-sm font-medium text-ink">
        {testing ? <span aria-hidden className="size-4 animate-spin rounded-full border-2 border-brand-600 border-t-transparent" /> : null}
        {summary}
      </p>

      {error && !testing ? <FormError message={error.message} /> : null}

      {report?.authFailure && !testing && !stale ? (
        <div role="alert" data-testid="auth-failure" className="rounded-md border border-danger-200 bg-danger-50 p-4 dark:border-danger-800 dark:bg-danger-950">
          <p className="text-sm font-semibold text-danger-800 dark:text-danger-200">
            {FAILURE_TITLES[report.authFailure.kind]}
            <code className="ml-2 rounded bg-danger-100 px-1 text-xs font-normal dark:bg-danger-900">{report.authFailure.error}</code>
          </p>
          <p className="mt-1 text-sm text-danger-700 dark:text-danger-300">{report.authFailure.message}</p>
          <p className="mt-2 text-xs text-danger-700 dark:text-danger-300">Nothing was saved. Fix the details and test again.</p>
        </div>
      ) : null}

      {testing || (report && report.authenticated && !stale) ? (
        <div className="space-y-3">
          {!testing && report ? (
            <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
              <dt className="text-ink-muted">IoT data endpoint</dt>
              <dd className="break-all font-mono text-xs text-ink" data-testid="discovered-endpoint">
                {report.endpoint ?? 'not discovered (the SDK default is used)'}
              </dd>
              <dt className="text-ink-muted">Sync mode</dt>
              <dd className="text-ink" data-testid="sync-mode">
                {report.syncMode ? SYNC_MODE_LABELS[report.syncMode] : '—'}
              </dd>
            </dl>
          ) : null}
          <CheckList checks={testing ? null : (report?.checks ?? null)} pending={testing} />
        </div>
      ) : null}

      <div className="flex flex-wrap justify-between gap-3">
        <Button type="button" variant="secondary" onClick={onBack} disabled={testing}>
          Back
        </Button>
        <div className="flex gap-3">
          <Button type="button" variant="secondary" onClick={onRetest} pending={testing}>
            {report || error ? 'Test again' : 'Run the test'}
          </Button>
          <Button type="submit" disabled={!report?.canSave || stale || testing}>
            Continue
          </Button>
        </div>
      </div>
    </form>
  );
}
