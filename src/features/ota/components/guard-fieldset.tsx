'use client';

import Link from 'next/link';
import type { GuardableRuleDto } from '@/features/alerts/guards';
import { Field, Input, Select } from '@/components/ui/field';
import { paths } from '@/lib/paths';
import { GUARD_CONFIDENCES, GUARD_LIMITS } from '../guard-decision';
import type { FieldErrors, WizardValues } from './wizard-values';

/** In words, with the numbers as typed: when Fleetline stops the rollout. */
export function guardSentence(v: WizardValues, rules: GuardableRuleDto[]): string {
  if (v.guardRuleIds.length === 0) return 'No health guard: only AWS’s abort criteria (failed updates) can stop the rollout.';
  const names = v.guardRuleIds.map((id) => rules.find((r) => r.id === id)?.name ?? 'a rule').join(', ');
  return `Fleetline stops the rollout (cancel without force) when devices that took the update have open alerts of ${names} at a share at least ${v.guardMarginPercent || '?'} points above the devices still waiting, with ${Math.round(Number(v.guardConfidence) * 100)} % confidence, once ${v.guardMinTreated || '?'} or more took it.`;
}

/**
 * The health guard in the safety step: alert rules (native checkboxes, so Tab and Space work) and,
 * once one is chosen, the decision's parameters with their defaults stated.
 */
export function GuardFieldset({ orgSlug, rules, values, errors, onChange }: {
  orgSlug: string;
  rules: GuardableRuleDto[];
  values: WizardValues;
  errors: FieldErrors;
  onChange: (patch: Partial<WizardValues>) => void;
}) {
  const chosen = new Set(values.guardRuleIds);
  const full = chosen.size >= GUARD_LIMITS.rules;
  const toggle = (id: string, on: boolean) => onChange({ guardRuleIds: on ? [...values.guardRuleIds, id] : values.guardRuleIds.filter((r) => r !== id) });
  const number = (name: 'guardMinTreated' | 'guardMarginPercent', extra: { min: number; max: number; step: string }) => ({
    id: `ota-${name}`,
    type: 'number',
    inputMode: 'decimal' as const,
    value: values[name],
    invalid: Boolean(errors[name]),
    onChange: (e: { target: { value: string } }) => onChange({ [name]: e.target.value }),
    ...extra,
  });
  return (
    <fieldset className="space-y-3 rounded-lg border border-line p-4" aria-describedby="guard-sentence">
      <legend className="px-1 text-sm font-medium text-ink">Health guard</legend>
      <p className="text-sm text-ink-muted">
        Stops the rollout when devices that took the update go bad (offline, battery drain, an anomaly) more often than devices still waiting — even when
        AWS reports the update succeeded.
      </p>
      {rules.length === 0 ? (
        <p className="text-sm text-ink-muted">
          No alert rule watches devices yet.{' '}
          <Link href={paths.newAlertRule(orgSlug)} className="font-medium text-brand-700 hover:underline dark:text-brand-300">
            Create one
          </Link>{' '}
          to guard rollouts with it.
        </p>
      ) : (
        <div role="group" aria-labelledby="guard-rules-label" className="space-y-1">
          <p id="guard-rules-label" className="text-sm font-medium text-ink">
            Guard rules <span className="font-normal text-ink-muted">(up to {GUARD_LIMITS.rules})</span>
          </p>
          <ul className="max-h-56 space-y-1 overflow-auto rounded-md border border-line p-2" data-testid="guard-rules">
            {rules.map((r) => (
              <li key={r.id}>
                <label className="flex items-start gap-2 rounded px-1 py-1 text-sm text-ink hover:bg-surface-muted">
                  <input
                    type="checkbox"
                    className="mt-0.5 size-4 accent-brand-600"
                    checked={chosen.has(r.id)}
                    disabled={!chosen.has(r.id) && full}
                    onChange={(e) => toggle(r.id, e.target.checked)}
                  />
                  <span>
                    {r.name} <span className="text-ink-muted">— {r.condition}{r.enabled ? '' : ' (disabled: its alerts do not open)'}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
          {errors.guardRuleIds?.length ? (
            <p role="alert" className="text-sm text-danger-600 dark:text-danger-400">
              {errors.guardRuleIds[0]}
            </p>
          ) : null}
        </div>
      )}
      {chosen.size > 0 ? (
        <div className="grid gap-4 sm:grid-cols-3">
          <Field id="ota-guardMinTreated" label="Judge after (updated devices)" hint="Default 10: no verdict on a handful of canaries." errors={errors.guardMinTreated}>
            <Input {...number('guardMinTreated', { min: GUARD_LIMITS.minTreated.min, max: GUARD_LIMITS.minTreated.max, step: '1' })} />
          </Field>
          <Field id="ota-guardMarginPercent" label="Margin (points)" hint="Default 10: the updated share must be this much higher." errors={errors.guardMarginPercent}>
            <Input {...number('guardMarginPercent', { min: GUARD_LIMITS.marginPercent.min, max: GUARD_LIMITS.marginPercent.max, step: '0.5' })} />
          </Field>
          <Field id="ota-guardConfidence" label="Confidence" hint="Default 95 % (one-sided two-proportion z-test)." errors={errors.guardConfidence}>
            <Select id="ota-guardConfidence" value={values.guardConfidence} onChange={(e) => onChange({ guardConfidence: e.target.value as WizardValues['guardConfidence'] })}>
              {GUARD_CONFIDENCES.map((c) => (
                <option key={c} value={String(c)}>
                  {Math.round(c * 100)} %
                </option>
              ))}
            </Select>
          </Field>
        </div>
      ) : null}
      <p id="guard-sentence" className="text-sm text-ink-muted" data-testid="guard-sentence">
        {guardSentence(values, rules)}
      </p>
    </fieldset>
  );
}
