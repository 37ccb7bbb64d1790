import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { cn } from '@/lib/cn';
import { paths } from '@/lib/paths';
import { ALERT_SEVERITIES, type AlertSeverity } from '../events';
import { alertListQuery } from '../list-params';
import { SEVERITY_LABELS } from './alert-badges';

const TONES: Record<AlertSeverity, string> = {
  critical: 'text-danger-700 dark:text-danger-300',
  warning: 'text-warning-700 dark:text-warning-300',
  info: 'text-brand-700 dark:text-brand-300',
};

/** The overview's open alerts by severity; each count links to the alerts page filtered to it. */
export function OpenAlertsCard({ orgSlug, counts }: { orgSlug: string; counts: Record<AlertSeverity, number> }) {
  return (
    <Card title="Open alerts" description="Firing or acknowledged, by severity.">
      <ul className="grid grid-cols-3 gap-4" aria-label="Open alerts by severity">
        {ALERT_SEVERITIES.map((severity) => (
          <li key={severity}>
            <Link
              href={paths.alerts(orgSlug, alertListQuery({ state: ['firing', 'acknowledged'], severity: [severity] }))}
              className="block rounded-md px-2 py-1 hover:bg-surface-muted"
              data-testid={`open-alerts-${severity}`}
            >
              <span className={cn('block text-2xl font-semibold tabular-nums', counts[severity] > 0 ? TONES[severity] : 'text-ink-muted')}>{counts[severity]}</span>
              <span className="text-sm text-ink-muted">{SEVERITY_LABELS[severity]}</span>
            </Link>
          </li>
        ))}
      </ul>
    </Card>
  );
}
