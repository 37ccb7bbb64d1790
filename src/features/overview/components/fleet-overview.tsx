'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef } from 'react';
import { SyncStatusStrip } from '@/features/sync/components/sync-status-strip';
import { useSyncStatus } from '@/features/sync/components/use-sync-status';
import type { SyncStatusDto } from '@/features/sync/queries';
import { number } from '@/lib/format';
import { devicesHref } from '../links';
import { LOW_BATTERY_PERCENT, type FleetOverview as Overview, type HistogramBucket } from '../model';
import { DistributionCard } from './distribution-card';
import { GroupsCard } from './groups-card';
import { HistogramCard } from './histogram-card';
import { KpiCards } from './kpi-cards';
import { NoDevices } from './no-devices';
import { OtaJobsCard } from './ota-jobs-card';
import { RecentCommandsCard } from './recent-commands-card';
import { overviewKeys, useFleetOverview } from './use-fleet-overview';

const batteryShort = (b: HistogramBucket) => `${b.from}–${b.to}`;
const signalShort = (b: HistogramBucket, i: number, all: HistogramBucket[]) =>
  (i === 0 ? `<${b.to}` : i === all.length - 1 ? `≥${b.from}` : `${b.from}`).replace(/-/g, '−');

/**
 * The organization overview: linked KPI cards, the live sync strip, fleet charts, active OTA jobs
 * and recent commands. Aggregates are refetched when a sync finishes (and once a minute).
 */
export function FleetOverview({ orgSlug, initialOverview, initialSync, canConnect }: {
  orgSlug: string;
  initialOverview: Overview;
  initialSync: SyncStatusDto;
  canConnect: boolean;
}) {
  const queryClient = useQueryClient();
  const sync = useSyncStatus(orgSlug, { initialData: initialSync });
  const overview = useFleetOverview(orgSlug, initialOverview);
  const data = overview.data ?? initialOverview;
  const syncData = sync.data ?? initialSync;

  // A finished sync is the only thing that changes the aggregates: refetch when one completes.
  const finished = syncData.integrations.map((i) => i.lastSyncAt ?? '').join('|');
  const seen = useRef(finished);
  useEffect(() => {
    if (seen.current === finished) return;
    seen.current = finished;
    void queryClient.invalidateQueries({ queryKey: overviewKeys.detail(orgSlug) });
  }, [finished, orgSlug, queryClient]);

  const { devices } = data;
  return (
    <div className="space-y-6">
      {overview.error ? (
        <p role="alert" className="rounded-md border border-danger-200 bg-danger-50 px-3 py-2 text-sm text-danger-700 dark:border-danger-800 dark:bg-danger-950 dark:text-danger-300">
          {overview.error.message} The numbers below are from {new Date(data.generatedAt).toLocaleTimeString('en')}.
        </p>
      ) : null}
      {devices.total > 0 ? <KpiCards orgSlug={orgSlug} devices={devices} /> : null}
      <SyncStatusStrip orgSlug={orgSlug} data={syncData} error={sync.error} />
      {devices.total === 0 ? (
        <NoDevices orgSlug={orgSlug} canConnect={canConnect} syncing={syncData.integrations.some((i) => i.current)} />
      ) : (
        <>
          <div className="grid gap-6 lg:grid-cols-2">
            <DistributionCard
              orgSlug={orgSlug}
              title="Firmware versions"
              description="Reported firmware of live devices."
              distribution={data.firmware}
              kinds="versions"
              missingLabel="Not reported"
              testId="overview-firmware"
            />
            <DistributionCard
              orgSlug={orgSlug}
              title="Thing types"
              description="Devices by AWS IoT thing type."
              distribution={data.thingTypes}
              kinds="types"
              missingLabel="No thing type"
              testId="overview-types"
            />
            <HistogramCard
              orgSlug={orgSlug}
              title="Battery"
              description="Reported battery level in percent."
              histogram={data.battery}
              testId="overview-battery"
              shortLabel={batteryShort}
              tone={(b) => (b.to <= 10 ? 'danger' : b.to <= LOW_BATTERY_PERCENT ? 'warning' : 'success')}
              linkNote={(b) => `all below ${b.to} %`}
              footnote="The device list filters battery by “below a value”, so each range links to every device below its upper edge."
              actions={
                <Link
                  href={devicesHref(orgSlug, { batteryBelow: data.lowBattery.threshold })}
                  className="shrink-0 text-sm text-brand-700 hover:underline dark:text-brand-300"
                  data-testid="low-battery"
                >
                  {number.format(data.lowBattery.count)} below {data.lowBattery.threshold} %
                </Link>
              }
            />
            <HistogramCard
              orgSlug={orgSlug}
              title="Signal strength"
              description="Reported RSSI in dBm (higher is better)."
              histogram={data.signal}
              testId="overview-signal"
              shortLabel={signalShort}
              tone={(b) => (b.to <= -80 ? 'warning' : 'brand')}
              footnote="Signal ranges are not a device-list filter, so these bars do not link."
            />
            <GroupsCard orgSlug={orgSlug} groups={data.groups} totalDevices={devices.total} />
            <OtaJobsCard orgSlug={orgSlug} active={data.otaJobs.active} jobs={data.otaJobs.items} />
          </div>
          <RecentCommandsCard orgSlug={orgSlug} commands={data.commands} nowIso={data.generatedAt} />
        </>
      )}
    </div>
  );
}
