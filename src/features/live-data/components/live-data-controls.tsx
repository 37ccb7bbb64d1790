'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input } from '@/components/ui/field';
import type { ActionResult } from '@/lib/errors';
import { CodeBlock } from '@/features/integrations/components/code-block';
import { disableLiveDataAction, enableLiveDataAction, refreshLiveDataStatusAction, rotateIngestSecretAction } from '../actions';
import type { LiveDataSetupResult } from '../service';

const stopsAt = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });

/** The admin controls of the "Live data" card; the fresh secret lives only in this component's state. */
export function LiveDataControls({ orgSlug, integrationId, enabled, topicFilter }: { orgSlug: string; integrationId: string; enabled: boolean; topicFilter: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [setup, setSetup] = useState<LiveDataSetupResult | null>(null);
  const [filter, setFilter] = useState(topicFilter);

  function run<T>(call: () => Promise<ActionResult<T>>, onData?: (data: T) => void) {
    setError(null);
    startTransition(async () => {
      const result = await call();
      if (!result.ok) setError(result.error.fieldErrors?.topicFilter?.[0] ?? result.error.message);
      else onData?.(result.data);
      router.refresh();
    });
  }
  const ref = { integrationId };

  return (
    <div className="space-y-4">
      {error ? <FormError message={error} /> : null}
      {!enabled ? (
        <div className="flex flex-wrap items-end gap-3">
          <Field id="live-topic-filter" label="Telemetry topic filter">
            <Input id="live-topic-filter" name="topicFilter" value={filter} onChange={(e) => setFilter(e.target.value)} className="font-mono" spellCheck={false} />
          </Field>
          <Button pending={pending} onClick={() => run(() => enableLiveDataAction(orgSlug, { ...ref, topicFilter: filter }), setSetup)}>
            Switch live data on
          </Button>
        </div>
      ) : (
        <div className="flex flex-wrap gap-3">
          <Button variant="secondary" pending={pending} onClick={() => run(() => refreshLiveDataStatusAction(orgSlug, ref))}>
            Refresh status
          </Button>
          <Button variant="secondary" pending={pending} onClick={() => run(() => rotateIngestSecretAction(orgSlug, ref), setSetup)}>
            Rotate secret
          </Button>
          <Button variant="danger" pending={pending} onClick={() => run(() => disableLiveDataAction(orgSlug, ref), () => setSetup(null))}>
            Switch live data off
          </Button>
        </div>
      )}
      {setup?.secret ? (
        <div role="status" className="space-y-2 rounded-md border border-warning-200 bg-warning-50 p-3 text-sm text-warning-800 dark:border-warning-800 dark:bg-warning-950 dark:text-warning-200">
          <p>The ingest secret, shown only now. {setup.managed ? 'Fleetline put it into both rules.' : 'Put it into the rules’ x-fleetline-ingest-secret header.'}</p>
          {setup.previousSecretExpiresAt ? (
            <p data-testid="live-data-grace">
              The old secret keeps working until <time dateTime={setup.previousSecretExpiresAt}>{stopsAt.format(new Date(setup.previousSecretExpiresAt))}</time>, then
              only this one is accepted.
            </p>
          ) : null}
          <CodeBlock id="live-data-secret" title="Ingest secret" code={setup.secret} />
        </div>
      ) : null}
      {setup?.error ? <FormError message={`Fleetline could not set up the rules: ${setup.error}`} /> : null}
      {setup?.manual ? (
        <div className="space-y-3">
          <p className="text-sm text-ink-muted">
            Without the “Manage IoT rules” permission, create the destination and the two rules yourself with either snippet; Fleetline confirms
            the destination when AWS calls it.
          </p>
          <CodeBlock id="live-data-cli" title="AWS CLI" code={setup.manual.cli} />
          <CodeBlock id="live-data-cloudformation" title="CloudFormation template" code={setup.manual.cloudFormation} />
        </div>
      ) : null}
    </div>
  );
}
