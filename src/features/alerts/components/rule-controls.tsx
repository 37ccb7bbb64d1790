'use client';

import { setAlertRuleEnabledAction, snoozeAlertRuleAction } from '../actions';
import { useAlertAction } from './use-alert-action';

const SNOOZES = [
  ['1', '1 hour'],
  ['8', '8 hours'],
  ['24', '1 day'],
  ['168', '1 week'],
] as const;

/** A rule row's enabled switch and snooze, for operators and up. */
export function RuleControls({ orgSlug, ruleId, ruleName, enabled, snoozed }: { orgSlug: string; ruleId: string; ruleName: string; enabled: boolean; snoozed: boolean }) {
  const { pending, error, run } = useAlertAction();

  return (
    <div className="flex flex-wrap items-center gap-3">
      <button
        type="button"
        role="switch"
        aria-checked={enabled}
        aria-label={`${ruleName} enabled`}
        disabled={pending}
        onClick={() => run(() => setAlertRuleEnabledAction(orgSlug, { ruleId, enabled: !enabled }))}
        className={`relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 disabled:opacity-50 ${enabled ? 'bg-brand-600' : 'bg-surface-muted ring-1 ring-line'}`}
      >
        <span className={`inline-block size-4 rounded-full bg-white shadow transition-transform ${enabled ? 'translate-x-4.5' : 'translate-x-0.5'}`} />
      </button>
      <label htmlFor={`snooze-rule-${ruleId}`} className="sr-only">
        Snooze {ruleName}
      </label>
      <select
        id={`snooze-rule-${ruleId}`}
        value=""
        disabled={pending}
        onChange={(e) => {
          const value = e.target.value;
          if (value === 'off') run(() => snoozeAlertRuleAction(orgSlug, { ruleId, until: null }));
          else if (value) run(() => snoozeAlertRuleAction(orgSlug, { ruleId, until: new Date(Date.now() + Number(value) * 3600_000).toISOString() }));
        }}
        className="rounded-md border border-line bg-surface px-2 py-1 text-sm text-ink"
      >
        <option value="">{snoozed ? 'Snoozed…' : 'Snooze…'}</option>
        {SNOOZES.map(([hours, label]) => (
          <option key={hours} value={hours}>
            {label}
          </option>
        ))}
        {snoozed ? <option value="off">Unsnooze</option> : null}
      </select>
      {error ? (
        <p role="alert" className="w-full text-sm text-danger-600 dark:text-danger-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}
