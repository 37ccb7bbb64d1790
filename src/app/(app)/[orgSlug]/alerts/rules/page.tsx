import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { KIND_LABELS, SeverityBadge } from '@/features/alerts/components/alert-badges';
import { RuleControls } from '@/features/alerts/components/rule-controls';
import { describeCondition } from '@/features/alerts/describe';
import { alertListQuery } from '@/features/alerts/list-params';
import { listRules } from '@/features/alerts/queries';
import { ALERTS_WRITE_ROLE } from '@/features/alerts/schemas';
import { isEmptyDeviceFilter, serializeDeviceFilter } from '@/features/devices/filters';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Alert rules' };

const primary = 'inline-flex items-center rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600';

export default async function AlertRulesPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params;
  const { user, org, role } = await loadWorkspace(orgSlug);
  const canWrite = hasRole(role, ALERTS_WRITE_ROLE);
  const { items: rules } = await asUser(user.claims, (db) => listRules(db, org.id));
  const now = new Date().getTime();
  const create = canWrite ? (
    <Link href={paths.newAlertRule(org.slug)} className={primary}>
      Create rule
    </Link>
  ) : null;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={paths.alerts(org.slug)} className="text-ink-muted hover:text-ink hover:underline">
          ← Alerts
        </Link>
      </p>
      <PageHeader
        title="Alert rules"
        description={canWrite ? 'What Fleetline watches and whom it tells.' : 'What Fleetline watches and whom it tells. Operators and up create and change rules.'}
        actions={rules.length > 0 ? create : null}
      />
      {rules.length === 0 ? (
        <EmptyState icon={<icons.bell className="size-10" />} title="No alert rules yet" action={create}>
          A rule watches the devices of a filter (offline, a threshold held for a while, a share of the fleet, an anomaly) or your operations (OTA jobs, syncs, commands).
        </EmptyState>
      ) : (
        <ul aria-label="Alert rules" className="divide-y divide-line rounded-lg border border-line bg-surface shadow-xs">
          {rules.map((rule) => {
            const snoozed = rule.snoozedUntil !== null && new Date(rule.snoozedUntil).getTime() > now;
            const filter = isEmptyDeviceFilter(rule.filter) ? 'All devices' : decodeURIComponent(serializeDeviceFilter(rule.filter).toString()).replaceAll('&', ' · ');
            return (
              <li key={rule.id} className="flex flex-wrap items-center justify-between gap-3 px-5 py-3" data-testid="rule-row">
                <div className="min-w-0 flex-1 space-y-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <Link href={paths.alertRule(org.slug, rule.id)} className="font-medium text-brand-700 hover:underline dark:text-brand-300">
                      {rule.name}
                    </Link>
                    <Badge>{KIND_LABELS[rule.kind]}</Badge>
                    <SeverityBadge severity={rule.severity} />
                    {!rule.enabled ? <Badge>Disabled</Badge> : null}
                    {snoozed ? <Badge tone="warning">Snoozed</Badge> : null}
                  </div>
                  <p className="text-sm text-ink">{describeCondition(rule.condition)}</p>
                  <p className="flex flex-wrap gap-x-3 text-xs text-ink-muted">
                    <span>{filter}</span>
                    <span>{rule.channelIds.length === 0 ? 'In the app only' : `${rule.channelIds.length} channel${rule.channelIds.length === 1 ? '' : 's'}`}</span>
                    {rule.openAlerts > 0 ? (
                      <Link href={paths.alerts(org.slug, alertListQuery({ ruleId: rule.id, state: ['firing', 'acknowledged'] }))} className="font-medium text-danger-700 hover:underline dark:text-danger-300">
                        {rule.openAlerts} open
                      </Link>
                    ) : null}
                  </p>
                </div>
                {canWrite ? <RuleControls orgSlug={org.slug} ruleId={rule.id} ruleName={rule.name} enabled={rule.enabled} snoozed={snoozed} /> : null}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
