import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { AlertFilters } from '@/features/alerts/components/alert-filters';
import { AlertList } from '@/features/alerts/components/alert-list';
import { MarkAlertsRead } from '@/features/alerts/components/mark-alerts-read';
import { alertListQuery, parseAlertListParams } from '@/features/alerts/list-params';
import { getAlertDeviceLabel, listAlerts, listRules } from '@/features/alerts/queries';
import { ALERTS_WRITE_ROLE } from '@/features/alerts/schemas';
import { deviceFilterQuery } from '@/features/devices/filters';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Alerts' };

const linkButton = 'inline-flex items-center rounded-md border border-line bg-surface px-3 py-1.5 text-sm font-medium text-ink hover:bg-surface-muted';
const pageLink = 'font-medium text-brand-700 hover:underline dark:text-brand-300';

export default async function AlertsPage({ params, searchParams }: {
  params: Promise<{ orgSlug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { orgSlug } = await params;
  const filters = parseAlertListParams(await searchParams);
  const { user, org, role } = await loadWorkspace(orgSlug);
  const canWrite = hasRole(role, ALERTS_WRITE_ROLE);
  const result = await asUser(user.claims, async (db) => {
    const [page, rules] = await Promise.all([
      listAlerts(db, org.id, { state: filters.state, severity: filters.severity, ruleId: filters.ruleId, deviceId: filters.deviceId, cursor: filters.cursor }),
      listRules(db, org.id),
    ]);
    const deviceLabel = filters.deviceId ? await getAlertDeviceLabel(db, org.id, filters.deviceId) : null;
    return { page, rules: rules.items, deviceLabel };
  }).then(
    (value) => ({ ok: true as const, ...value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const now = new Date().toISOString();
  const filtered = Boolean(filters.state || filters.severity || filters.ruleId || filters.deviceId);

  return (
    <>
      <MarkAlertsRead orgSlug={org.slug} />
      <PageHeader
        title="Alerts"
        description={canWrite ? 'What the alert rules found, newest first. Acknowledge an alert to say someone is on it.' : 'What the alert rules found, newest first. Operators and up acknowledge and snooze.'}
        actions={
          <div className="flex gap-2">
            <Link href={paths.devices(org.slug, deviceFilterQuery({ openAlert: true }))} className={linkButton}>
              Devices with open alerts
            </Link>
            <Link href={paths.alertRules(org.slug)} className={linkButton}>
              Rules
            </Link>
          </div>
        }
      />
      {!result.ok ? (
        <div role="alert" className="rounded-md border border-danger-200 bg-danger-50 px-4 py-3 text-sm text-danger-700 dark:border-danger-800 dark:bg-danger-950 dark:text-danger-300">
          The alerts could not be loaded. Try again in a moment.
        </div>
      ) : result.rules.length === 0 ? (
        <EmptyState
          icon={<icons.bell className="size-10" />}
          title="No alert rules yet"
          action={
            canWrite ? (
              <Link href={paths.newAlertRule(org.slug)} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
                Create a rule
              </Link>
            ) : null
          }
        >
          Rules watch your devices (offline, thresholds, anomalies) and operations (OTA jobs, syncs, commands); what they find is listed here.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          <AlertFilters orgSlug={org.slug} params={filters} rules={result.rules} deviceLabel={result.deviceLabel} />
          <div className="rounded-lg border border-line bg-surface px-5 shadow-xs">
            {result.page.items.length === 0 ? (
              <p className="py-6 text-sm text-ink-muted" data-testid="alerts-empty">
                {filtered || filters.cursor ? 'No alerts match these filters.' : 'No alerts so far: every rule is quiet.'}
              </p>
            ) : (
              <AlertList orgSlug={org.slug} alerts={result.page.items} canWrite={canWrite} now={now} />
            )}
            {result.page.nextCursor || filters.cursor ? (
              <div className="flex justify-end gap-4 border-t border-line py-2 text-sm">
                {filters.cursor ? (
                  <Link href={paths.alerts(org.slug, alertListQuery({ ...filters, cursor: undefined }))} className={pageLink}>
                    ← Newest
                  </Link>
                ) : null}
                {result.page.nextCursor ? (
                  <Link href={paths.alerts(org.slug, alertListQuery({ ...filters, cursor: result.page.nextCursor }))} className={pageLink}>
                    Older alerts →
                  </Link>
                ) : null}
              </div>
            ) : null}
          </div>
        </div>
      )}
    </>
  );
}
