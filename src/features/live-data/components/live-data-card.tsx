import type { ReactNode } from 'react';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import type { LiveDataView } from '../queries';
import { LiveDataControls } from './live-data-controls';

const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });

const REASON_LABELS: Record<string, string> = {
  unknown_device: 'Unknown device',
  bad_metric_name: 'Invalid metric name',
  bad_value: 'Value not a finite number in range',
  too_many_metrics: 'Too many metrics',
  no_metrics: 'No metrics',
  bad_timestamp: 'Missing or invalid timestamp',
  stale_timestamp: 'Timestamp too old',
  future_timestamp: 'Timestamp in the future',
  message_too_large: 'Message too large',
  not_object: 'Not a JSON object',
  missing_thing: 'No thing name',
  bad_presence: 'Invalid lifecycle event',
  malformed_request: 'Body not JSON',
  batch_too_large: 'Batch too large',
};

function status(value: string | null): ReactNode {
  if (value === null) return <Badge>Not created</Badge>;
  const tone = value === 'ENABLED' ? 'success' : value === 'IN_PROGRESS' || value === 'DISABLED' ? 'warning' : 'danger';
  return <Badge tone={tone}>{value.replace('_', ' ').toLowerCase()}</Badge>;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-0.5 py-2 sm:grid-cols-[11rem_1fr] sm:gap-4">
      <dt className="text-sm text-ink-muted">{label}</dt>
      <dd className="min-w-0 break-words text-sm text-ink">{children}</dd>
    </div>
  );
}

/** The integration page's "Live data" card: ingest URL, rule and destination status, counters, and the admin controls. */
export function LiveDataCard({ orgSlug, integrationId, ingestUrl, live, isAdmin }: {
  orgSlug: string;
  integrationId: string;
  ingestUrl: string;
  live: LiveDataView | null;
  isAdmin: boolean;
}) {
  const enabled = live?.enabled ?? false;
  return (
    <Card title="Live data" description="AWS IoT Rules deliver device telemetry and connect/disconnect events to Fleetline as they happen.">
      <dl className="-my-2 mb-4 divide-y divide-line" data-testid="live-data">
        <Row label="State">{enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}</Row>
        <Row label="Ingest URL"><span className="break-all font-mono text-xs">{ingestUrl}</span></Row>
        {live && enabled ? (
          <>
            <Row label="Secret">
              <span className="font-mono">{live.secretHint}</span>{live.secretRotatedAt ? ` · set ${when.format(live.secretRotatedAt)}` : null}
              {live.previousSecretExpiresAt ? (
                <span className="block text-ink-muted" data-testid="live-data-previous-secret">
                  The previous secret is still accepted until {when.format(live.previousSecretExpiresAt)}.
                </span>
              ) : null}
            </Row>
            <Row label="Topic filter"><span className="font-mono">{live.topicFilter}</span></Row>
            <Row label="Destination">{status(live.destinationStatus)}</Row>
            <Row label="Telemetry rule">{status(live.telemetryRule.status)} <span className="font-mono text-xs text-ink-muted">{live.telemetryRule.name}</span></Row>
            <Row label="Presence rule">{status(live.presenceRule.status)} <span className="font-mono text-xs text-ink-muted">{live.presenceRule.name}</span></Row>
            <Row label="Last message">{live.lastMessageAt ? when.format(live.lastMessageAt) : 'None yet'}</Row>
            <Row label="Last presence event">{live.lastPresenceAt ? when.format(live.lastPresenceAt) : 'None yet'}</Row>
          </>
        ) : null}
        {live?.lastError ? <Row label="Last error"><span className="text-danger-700 dark:text-danger-300">{live.lastError}</span></Row> : null}
        {live && live.rejections.length > 0 ? (
          <Row label="Rejected messages">
            <ul className="space-y-0.5" data-testid="live-data-rejections">
              {live.rejections.map((r) => (
                <li key={r.reason}>
                  {REASON_LABELS[r.reason] ?? r.reason}: <span className="tabular-nums">{r.count.toLocaleString('en')}</span>
                  <span className="text-ink-muted"> · last {when.format(r.lastAt)}</span>
                </li>
              ))}
            </ul>
          </Row>
        ) : null}
      </dl>
      {isAdmin ? <LiveDataControls orgSlug={orgSlug} integrationId={integrationId} enabled={enabled} topicFilter={live?.topicFilter ?? 'dt/+/telemetry'} /> : null}
    </Card>
  );
}
