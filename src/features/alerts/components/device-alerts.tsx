import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { paths } from '@/lib/paths';
import { alertListQuery } from '../list-params';
import type { AlertDto } from '../queries';
import { AlertList } from './alert-list';

/** The device page's open alerts, with the same controls as the alerts page. */
export function DeviceAlerts({ orgSlug, deviceId, alerts, canWrite, now }: { orgSlug: string; deviceId: string; alerts: AlertDto[]; canWrite: boolean; now: string }) {
  return (
    <Card
      title="Alerts"
      description="Open alerts of this device."
      actions={
        <Link href={paths.alerts(orgSlug, alertListQuery({ deviceId }))} className="text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">
          All alerts of this device
        </Link>
      }
    >
      {alerts.length === 0 ? (
        <p className="text-sm text-ink-muted" data-testid="device-alerts-empty">
          No open alerts.
        </p>
      ) : (
        <AlertList orgSlug={orgSlug} alerts={alerts} canWrite={canWrite} now={now} label="Device alerts" />
      )}
    </Card>
  );
}
