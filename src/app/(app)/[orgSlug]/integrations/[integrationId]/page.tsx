import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { PageHeader } from '@/components/page-header';
import { IntegrationSyncPanel } from '@/features/sync/components/integration-sync-panel';
import { Card } from '@/components/ui/card';
import { featuresFor, SYNC_MODE_LABELS } from '@/features/integrations/capabilities';
import { budgetLabel } from '@/features/integrations/components/budget-choices';
import { CheckList } from '@/features/integrations/components/check-list';
import { DeleteIntegration } from '@/features/integrations/components/delete-integration';
import { FeatureList } from '@/features/integrations/components/feature-list';
import { IntegrationActions } from '@/features/integrations/components/integration-actions';
import { IntegrationSettingsForm } from '@/features/integrations/components/integration-settings-form';
import { IntegrationStatusBadge } from '@/features/integrations/components/integration-status-badge';
import { RotateCredentialsForm } from '@/features/integrations/components/rotate-credentials-form';
import { getIntegration } from '@/features/integrations/queries';
import { LiveDataCard } from '@/features/live-data/components/live-data-card';
import { getLiveData } from '@/features/live-data/queries';
import { ingestUrl } from '@/features/live-data/service';
import { serverEnv } from '@/lib/env';
import { regionLabel } from '@/features/integrations/regions';
import { intervalLabel } from '@/features/integrations/schemas';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole, ROLE_LABELS } from '@/lib/roles';

export const metadata: Metadata = { title: 'Integration' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-0.5 py-2 sm:grid-cols-[11rem_1fr] sm:gap-4">
      <dt className="text-sm text-ink-muted">{label}</dt>
      <dd className="min-w-0 break-words text-sm text-ink">{children}</dd>
    </div>
  );
}

function Banner({ tone, children }: { tone: 'success' | 'warning' | 'danger'; children: ReactNode }) {
  const styles = {
    success: 'border-success-200 bg-success-50 text-success-800 dark:border-success-800 dark:bg-success-950 dark:text-success-200',
    warning: 'border-warning-200 bg-warning-50 text-warning-800 dark:border-warning-800 dark:bg-warning-950 dark:text-warning-200',
    danger: 'border-danger-200 bg-danger-50 text-danger-800 dark:border-danger-800 dark:bg-danger-950 dark:text-danger-200',
  };
  return <div className={`rounded-md border px-4 py-3 text-sm ${styles[tone]}`}>{children}</div>;
}

export default async function IntegrationPage({ params, searchParams }: {
  params: Promise<{ orgSlug: string; integrationId: string }>;
  searchParams: Promise<{ created?: string }>;
}) {
  const { orgSlug, integrationId } = await params;
  if (!UUID.test(integrationId)) notFound();
  const { user, org, role } = await loadWorkspace(orgSlug);
  const [integration, live] = await asUser(user.claims, (db) => Promise.all([getIntegration(db, org.id, integrationId), getLiveData(db, org.id, integrationId)]));
  if (!integration) notFound();
  const { created } = await searchParams;
  const isAdmin = hasRole(role, 'admin');
  const features = featuresFor(integration.capabilities, Boolean(integration.timestreamDatabase && integration.timestreamTable));

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={paths.integrations(org.slug)} className="text-ink-muted hover:text-ink hover:underline">
          ← Integrations
        </Link>
      </p>
      <PageHeader
        title={integration.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <IntegrationStatusBadge status={integration.status} />
            {regionLabel(integration.region)} · {integration.authType === 'access_keys' ? 'Access keys' : 'IAM role'}
          </span>
        }
        actions={isAdmin ? <IntegrationActions orgSlug={org.slug} integrationId={integration.id} paused={integration.status === 'paused'} /> : null}
      />

      <div className="space-y-6">
        {created === '1' ? (
          <Banner tone="success">
            <span role="status">Integration saved. Fleetline will sync it {intervalLabel(integration.syncIntervalSeconds).toLowerCase()}.</span>
          </Banner>
        ) : null}
        {integration.status === 'paused' ? <Banner tone="warning">Syncing is paused. {integration.pausedReason}</Banner> : null}
        {integration.lastError ? (
          <Banner tone="danger">
            <span data-testid="last-error">Last error: {integration.lastError}</span>
          </Banner>
        ) : null}
        {!isAdmin ? (
          <p className="text-sm text-ink-muted">You are a {ROLE_LABELS[role].toLowerCase()} of {org.name}: integrations are read-only for you.</p>
        ) : null}

        <div className="grid gap-6 xl:grid-cols-2">
          <Card title="Connection">
            <dl className="-my-2 divide-y divide-line">
              <Row label="Region">
                {regionLabel(integration.region)} <span className="font-mono text-xs text-ink-muted">({integration.region})</span>
              </Row>
              {integration.authType === 'access_keys' ? (
                <Row label="Access key">
                  <span className="font-mono" data-testid="credentials-hint">{integration.credentialsHint}</span>{' '}
                  <span className="text-ink-muted">· secret stored encrypted</span>
                </Row>
              ) : (
                <>
                  <Row label="Role"><span className="break-all font-mono text-xs">{integration.roleArn}</span></Row>
                  <Row label="External ID"><span className="font-mono text-xs" data-testid="integration-external-id">{integration.externalId}</span></Row>
                </>
              )}
              <Row label="IoT data endpoint">
                <span className="break-all font-mono text-xs">{integration.iotDataEndpoint ?? 'Not discovered'}</span>
              </Row>
              {integration.customEndpoint ? (
                <Row label="Custom endpoint"><span className="break-all font-mono text-xs">{integration.customEndpoint}</span></Row>
              ) : null}
              <Row label="Timestream">{integration.timestreamDatabase ? `${integration.timestreamDatabase}.${integration.timestreamTable}` : 'Not used'}</Row>
              <Row label="Sync mode">{integration.capabilities ? SYNC_MODE_LABELS[integration.capabilities.syncMode] : 'Decided by the next test'}</Row>
              <Row label="Schedule">{intervalLabel(integration.syncIntervalSeconds)} · {budgetLabel(integration.syncBudget)}</Row>
              <Row label="Last sync">{integration.lastSyncAt ? when.format(integration.lastSyncAt) : 'Not synced yet'}</Row>
              <Row label="Last tested">{integration.lastTestedAt ? when.format(integration.lastTestedAt) : 'Never'}</Row>
            </dl>
          </Card>

          <Card title="Features" description="What this integration’s permissions allow.">
            <FeatureList features={features} />
          </Card>
        </div>

        <IntegrationSyncPanel orgSlug={org.slug} integrationId={integration.id} />

        <LiveDataCard orgSlug={org.slug} integrationId={integration.id} ingestUrl={ingestUrl(serverEnv().APP_URL, integration.id)} live={live} isAdmin={isAdmin} />

        <Card
          title="Permissions"
          description={integration.lastTestedAt ? `From the test on ${when.format(integration.lastTestedAt)}.` : 'Not tested yet.'}
        >
          <CheckList checks={integration.capabilities?.checks ?? null} />
        </Card>

        {isAdmin ? (
          <>
            <Card title="Settings">
              <IntegrationSettingsForm orgSlug={org.slug} integration={integration} />
            </Card>
            <Card title="Credentials">
              {integration.authType === 'access_keys' ? (
                <RotateCredentialsForm orgSlug={org.slug} integrationId={integration.id} currentHint={integration.credentialsHint} />
              ) : (
                <p className="text-sm text-ink-muted">
                  This integration assumes an IAM role: there are no keys to rotate. AWS issues short-lived credentials for every session. To
                  use another role, connect a new integration and delete this one.
                </p>
              )}
            </Card>
            <Card title="Danger zone">
              <DeleteIntegration orgSlug={org.slug} integrationId={integration.id} name={integration.name} />
            </Card>
          </>
        ) : null}
      </div>
    </>
  );
}
