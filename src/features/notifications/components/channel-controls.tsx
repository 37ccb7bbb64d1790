'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import type { ActionError } from '@/lib/errors';
import { sendTestNotificationAction, updateChannelAction } from '../actions';
import type { DeliveryOutcome } from '../delivery';

function outcomeText(outcome: DeliveryOutcome, kind: 'email' | 'webhook'): { tone: 'success' | 'danger'; text: string } {
  switch (outcome.status) {
    case 'delivered':
      return { tone: 'success', text: kind === 'email' ? 'Test delivered: the mail server accepted it.' : `Test delivered: the receiver answered HTTP ${outcome.statusCode}.` };
    case 'failed':
    case 'gave_up':
      return { tone: 'danger', text: `Test not delivered: ${outcome.error}` };
    case 'skipped':
      return { tone: 'danger', text: 'Nothing was sent: the test could not be started. Try again.' };
  }
}

/** Send test and enable/disable (admins); the outcome of a test is in the delivery log too. */
export function ChannelControls({ orgSlug, channelId, kind, enabled }: { orgSlug: string; channelId: string; kind: 'email' | 'webhook'; enabled: boolean }) {
  const router = useRouter();
  const [testing, startTest] = useTransition();
  const [toggling, startToggle] = useTransition();
  const [outcome, setOutcome] = useState<DeliveryOutcome | null>(null);
  const [error, setError] = useState<ActionError | null>(null);

  const sendTest = () =>
    startTest(async () => {
      setError(null);
      setOutcome(null);
      const result = await sendTestNotificationAction(orgSlug, { channelId });
      if (result.ok) setOutcome(result.data);
      else setError(result.error);
      router.refresh();
    });
  const toggle = () =>
    startToggle(async () => {
      setError(null);
      const result = await updateChannelAction(orgSlug, { channelId, enabled: !enabled });
      if (!result.ok) setError(result.error);
      router.refresh();
    });
  const shown = outcome ? outcomeText(outcome, kind) : null;

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" onClick={toggle} pending={toggling}>
          {enabled ? 'Disable' : 'Enable'}
        </Button>
        <Button type="button" onClick={sendTest} pending={testing}>
          Send test
        </Button>
      </div>
      <p role="status" data-testid="test-outcome" className={shown?.tone === 'danger' ? 'text-sm text-danger-700 dark:text-danger-300' : 'text-sm text-success-700 dark:text-success-300'}>
        {testing ? 'Sending…' : (shown?.text ?? '')}
      </p>
      {error ? <FormError message={error.message} /> : null}
    </div>
  );
}
