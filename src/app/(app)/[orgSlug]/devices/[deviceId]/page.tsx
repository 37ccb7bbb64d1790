import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/page-header';
import { Card } from '@/components/ui/card';
import { DeviceAlerts } from '@/features/alerts/components/device-alerts';
import { listAlerts } from '@/features/alerts/queries';
import { ALERTS_WRITE_ROLE } from '@/features/alerts/schemas';
import { getDeviceLive } from '@/features/commands/queries';
import { AttributesEditor } from '@/features/device-detail/components/attributes-editor';
import { DeviceHeader } from '@/features/device-detail/components/device-header';
import { DeviceLivePanel } from '@/features/device-detail/components/device-live-panel';
import { LiveRefresh } from '@/features/device-detail/components/live-refresh';
import { OtaExecutions } from '@/features/device-detail/components/ota-executions';
import { ShadowHistory } from '@/features/device-detail/components/shadow-history';
import { getDeviceDetail, listDeviceOtaExecutions, listShadowHistory } from '@/features/device-detail/queries';
import { ATTRIBUTE_MIN_ROLE } from '@/features/device-detail/schemas';
import { listLiveDataIntegrations } from '@/features/live-data/queries';
import { loadWorkspace } from '@/features/orgs/workspace';
import { DeviceTelemetryChart } from '@/features/telemetry/components/device-telemetry-chart';
import { asUser } from '@/lib/db';
import { paths } from '@/lib/paths';
import { hasRole, ROLE_LABELS } from '@/lib/roles';

export const metadata: Metadata = { title: 'Device' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function DevicePage({ params }: { params: Promise<{ orgSlug: string; deviceId: string }> }) {
  const { orgSlug, deviceId } = await params;
  if (!UUID.test(deviceId)) notFound();
  const { user, org, role } = await loadWorkspace(orgSlug);
  const data = await asUser(user.claims, async (db) => {
    const device = await getDeviceDetail(db, org.id, deviceId);
    if (!device) return null;
    const [live, history, executions, alerts, liveData] = await Promise.all([
      getDeviceLive(db, org.id, deviceId),
      listShadowHistory(db, org.id, deviceId),
      listDeviceOtaExecutions(db, org.id, { thingName: device.thingName, integrationId: device.integration.id }),
      listAlerts(db, org.id, { deviceId, state: ['firing', 'acknowledged'], limit: 20 }),
      listLiveDataIntegrations(db, org.id, [device.integration.id]),
    ]);
    return { device, live: live!, history, executions, alerts: alerts.items, liveData: liveData.has(device.integration.id) };
  });
  if (!data) notFound();
  const { device, live, history, executions, alerts, liveData } = data;
  const now = live.generatedAt;
  const canWrite = hasRole(role, ATTRIBUTE_MIN_ROLE) && device.removedAt === null;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={paths.devices(org.slug)} className="text-ink-muted hover:text-ink hover:underline">
          ← Devices
        </Link>
      </p>
      <PageHeader
        title={device.displayName ?? device.thingName}
        description={<span className="font-mono text-xs">{device.thingName}</span>}
        actions={
          <Link
            href={paths.deviceTelemetry(org.slug, device.id)}
            className="inline-flex items-center rounded-md border border-line bg-surface px-3 py-1.5 text-sm font-medium text-ink hover:bg-surface-muted"
          >
            Telemetry
          </Link>
        }
      />
      <div className="space-y-6">
        {device.removedAt ? (
          <div role="status" className="rounded-md border border-warning-200 bg-warning-50 px-4 py-3 text-sm text-warning-800 dark:border-warning-800 dark:bg-warning-950 dark:text-warning-200">
            This thing is no longer in AWS (a complete sync did not find it). What Fleetline last saw is shown; nothing can be changed.
          </div>
        ) : null}
        {!hasRole(role, ATTRIBUTE_MIN_ROLE) ? (
          <p className="text-sm text-ink-muted" data-testid="read-only-note">
            You are a {ROLE_LABELS[role].toLowerCase()} of {org.name}: this device is read-only for you.
          </p>
        ) : null}
        <Card>
          <DeviceHeader orgSlug={org.slug} device={device} now={now} />
          {liveData ? <LiveRefresh /> : null}
        </Card>
        <DeviceAlerts orgSlug={org.slug} deviceId={device.id} alerts={alerts} canWrite={hasRole(role, ALERTS_WRITE_ROLE)} now={now} />
        <DeviceLivePanel key={device.id} orgSlug={org.slug} deviceId={device.id} canWrite={canWrite} initialData={{ ...live, refresh: null }} />
        <DeviceTelemetryChart orgSlug={org.slug} deviceId={device.id} />
        <div className="grid gap-6 xl:grid-cols-2">
          <Card
            title="Attributes"
            description={device.registryVersion !== null ? `Registry version ${device.registryVersion}` : 'Registry attributes of the thing.'}
          >
            <AttributesEditor orgSlug={org.slug} deviceId={device.id} attributes={device.attributes} registryVersion={device.registryVersion} canWrite={canWrite} />
          </Card>
          <Card title="OTA jobs" description="This device’s executions of firmware jobs.">
            <OtaExecutions orgSlug={org.slug} executions={executions} now={now} />
          </Card>
        </div>
        <Card title="Recent shadow history" description="Reported-state versions the syncs observed (versions between two syncs are not seen).">
          <ShadowHistory entries={history} now={now} />
        </Card>
      </div>
    </>
  );
}
