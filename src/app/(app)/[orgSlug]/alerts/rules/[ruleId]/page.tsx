import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/page-header';
import { Card } from '@/components/ui/card';
import { KIND_LABELS, SeverityBadge } from '@/features/alerts/components/alert-badges';
import { RuleForm } from '@/features/alerts/components/rule-form';
import { ruleToValues } from '@/features/alerts/components/rule-form-values';
import { describeCondition } from '@/features/alerts/describe';
import { alertListQuery } from '@/features/alerts/list-params';
import { getRule } from '@/features/alerts/queries';
import { ALERTS_WRITE_ROLE } from '@/features/alerts/schemas';
import { isEmptyDeviceFilter, serializeDeviceFilter } from '@/features/devices/filters';
import { listChannels } from '@/features/notifications/queries';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Alert rule' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function AlertRulePage({ params }: { params: Promise<{ orgSlug: string; ruleId: string }> }) {
  const { orgSlug, ruleId } = await params;
  if (!UUID.test(ruleId)) notFound();
  const { user, org, role } = await loadWorkspace(orgSlug);
  const canWrite = hasRole(role, ALERTS_WRITE_ROLE);
  const data = await asUser(user.claims, async (db) => {
    const [rule, channels] = await Promise.all([getRule(db, org.id, ruleId), listChannels(db, org.id)]);
    return rule ? { rule, channels: channels.items } : null;
  });
  if (!data) notFound();
  const { rule, channels } = data;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={paths.alertRules(org.slug)} className="text-ink-muted hover:text-ink hover:underline">
          ← Alert rules
        </Link>
      </p>
      <PageHeader
        title={rule.name}
        description={describeCondition(rule.condition)}
        actions={
          <Link href={paths.alerts(org.slug, alertListQuery({ ruleId: rule.id }))} className="inline-flex items-center rounded-md border border-line bg-surface px-3 py-1.5 text-sm font-medium text-ink hover:bg-surface-muted">
            Alerts of this rule
          </Link>
        }
      />
      {canWrite ? (
        <RuleForm orgSlug={org.slug} ruleId={rule.id} initial={ruleToValues(rule)} channels={channels} />
      ) : (
        <Card>
          <dl className="grid gap-4 text-sm sm:grid-cols-2" data-testid="rule-read-only">
            <div>
              <dt className="text-ink-muted">Kind</dt>
              <dd className="text-ink">{KIND_LABELS[rule.kind]}</dd>
            </div>
            <div>
              <dt className="text-ink-muted">Severity</dt>
              <dd>
                <SeverityBadge severity={rule.severity} />
              </dd>
            </div>
            <div>
              <dt className="text-ink-muted">Devices</dt>
              <dd className="text-ink">{isEmptyDeviceFilter(rule.filter) ? 'All devices' : decodeURIComponent(serializeDeviceFilter(rule.filter).toString()).replaceAll('&', ' · ')}</dd>
            </div>
            <div>
              <dt className="text-ink-muted">Notifies</dt>
              <dd className="text-ink">{channels.filter((c) => rule.channelIds.includes(c.id)).map((c) => c.name).join(', ') || 'In the app only'}</dd>
            </div>
            <div>
              <dt className="text-ink-muted">Enabled</dt>
              <dd className="text-ink">{rule.enabled ? 'Yes' : 'No'}</dd>
            </div>
          </dl>
          <p className="mt-4 text-sm text-ink-muted">Operators and up change rules.</p>
        </Card>
      )}
    </>
  );
}
