'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input, Select } from '@/components/ui/field';
import { useActionForm } from '@/lib/use-action-form';
import { updateIntegrationAction } from '../actions';
import type { IntegrationDetail } from '../queries';
import { intervalLabel, SYNC_INTERVAL_CHOICES } from '../schemas';
import { BUDGET_CHOICES, budgetLabel } from './budget-choices';

/** Name, schedule, endpoint and Timestream of a saved integration (admins). */
export function IntegrationSettingsForm({ orgSlug, integration }: { orgSlug: string; integration: IntegrationDetail }) {
  const router = useRouter();
  const [saved, setSaved] = useState(false);
  const form = useActionForm((input) => updateIntegrationAction(orgSlug, input), {
    onSuccess: () => {
      setSaved(true);
      router.refresh();
    },
  });
  const intervals = SYNC_INTERVAL_CHOICES.some((c) => c.seconds === integration.syncIntervalSeconds)
    ? SYNC_INTERVAL_CHOICES
    : [...SYNC_INTERVAL_CHOICES, { seconds: integration.syncIntervalSeconds, label: intervalLabel(integration.syncIntervalSeconds) }];
  const budgets = BUDGET_CHOICES.some((c) => c.value === integration.syncBudget)
    ? BUDGET_CHOICES
    : [...BUDGET_CHOICES, { value: integration.syncBudget, label: budgetLabel(integration.syncBudget) }];
  const errors = form.fieldErrors;
  return (
    <form onSubmit={(e) => { setSaved(false); form.onSubmit(e); }} noValidate className="space-y-4">
      <input type="hidden" name="integrationId" value={integration.id} />
      {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="settings-name" label="Name" errors={errors('name')}>
          <Input id="settings-name" name="name" defaultValue={integration.name} maxLength={80} invalid={!!errors('name')} />
        </Field>
        <div />
        <Field id="settings-interval" label="Sync interval" errors={errors('syncIntervalSeconds')}>
          <Select id="settings-interval" name="syncIntervalSeconds" defaultValue={integration.syncIntervalSeconds}>
            {intervals.map((c) => (
              <option key={c.seconds} value={c.seconds}>{c.label}</option>
            ))}
          </Select>
        </Field>
        <Field id="settings-budget" label="Sync budget" errors={errors('syncBudget')}>
          <Select id="settings-budget" name="syncBudget" defaultValue={integration.syncBudget}>
            {budgets.map((c) => (
              <option key={c.value} value={c.value}>{c.label}</option>
            ))}
          </Select>
        </Field>
        <Field id="settings-endpoint" label="Custom endpoint" hint="Empty for AWS itself. https, or plain http for localhost only." errors={errors('customEndpoint')}>
          <Input id="settings-endpoint" name="customEndpoint" defaultValue={integration.customEndpoint ?? ''} spellCheck={false} invalid={!!errors('customEndpoint')} />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field id="settings-ts-db" label="Timestream database" errors={errors('timestreamDatabase')}>
            <Input id="settings-ts-db" name="timestreamDatabase" defaultValue={integration.timestreamDatabase ?? ''} spellCheck={false} invalid={!!errors('timestreamDatabase')} />
          </Field>
          <Field id="settings-ts-table" label="Timestream table" errors={errors('timestreamTable')}>
            <Input id="settings-ts-table" name="timestreamTable" defaultValue={integration.timestreamTable ?? ''} spellCheck={false} invalid={!!errors('timestreamTable')} />
          </Field>
        </div>
      </div>
      <div className="flex items-center justify-end gap-3">
        <p role="status" className="text-sm text-success-700 dark:text-success-300">{saved && !form.pending ? 'Saved.' : ''}</p>
        <Button type="submit" pending={form.pending}>Save changes</Button>
      </div>
      <p className="text-xs text-ink-muted">Changing the endpoint or Timestream settings tests the connection again before saving.</p>
    </form>
  );
}
