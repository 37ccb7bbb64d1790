import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { deviceFilterQuery, parseDeviceFilter } from '@/features/devices/filters';
import { loadWorkspace } from '@/features/orgs/workspace';
import { DeviceTelemetryChart } from '@/features/telemetry/components/device-telemetry-chart';
import { FilterSummary } from '@/features/telemetry/components/filter-summary';
import { FleetTelemetryChart } from '@/features/telemetry/components/fleet-telemetry-chart';
import { countFleetDevices, getTelemetryDevice, listFleetDevicesPreview } from '@/features/telemetry/queries';
import { RANGE_PRESETS, type RangeChoice } from '@/features/telemetry/range';
import { metricSchema } from '@/features/telemetry/schemas';
import { asUser } from '@/lib/db';
import { number } from '@/lib/format';
import { paths } from '@/lib/paths';
import { z } from 'zod';

export const metadata: Metadata = { title: 'Telemetry' };

type SearchParams = Record<string, string | string[] | undefined>;

function first(params: SearchParams, key: string): string | undefined {
  const value = params[key];
  return Array.isArray(value) ? value[0] : value;
}

/** Chart settings from the URL; anything invalid falls back to the defaults. */
function chartSettings(params: SearchParams) {
  const metric = metricSchema.safeParse(first(params, 'metric')).data ?? 'temperature';
  const range = z.enum([...RANGE_PRESETS, 'custom']).safeParse(first(params, 'range')).data ?? '24h';
  const iso = z.iso.datetime({ offset: true });
  const from = iso.safeParse(first(params, 'from')).data;
  const to = iso.safeParse(first(params, 'to')).data;
  const custom = range === 'custom' && from && to ? { from, to } : null;
  return { initialMetric: metric, initialRange: (custom || range !== 'custom' ? range : '24h') as RangeChoice, initialCustom: custom };
}

const TelemetryIcon = icons.telemetry;

export default async function Page({ params, searchParams }: { params: Promise<{ orgSlug: string }>; searchParams: Promise<SearchParams> }) {
  const { orgSlug } = await params;
  const search = await searchParams;
  const workspace = await loadWorkspace(orgSlug);
  const slug = workspace.org.slug;
  const settings = chartSettings(search);
  const linkClass = 'text-sm font-medium text-brand-700 underline-offset-2 hover:underline dark:text-brand-300';

  const deviceParam = first(search, 'device');
  if (deviceParam !== undefined) {
    const id = z.uuid().safeParse(deviceParam).data;
    const device = id ? await asUser(workspace.user.claims, (db) => getTelemetryDevice(db, workspace.org.id, id)) : null;
    if (!device) {
      return (
        <>
          <PageHeader title="Telemetry" />
          <EmptyState icon={<TelemetryIcon className="size-10" />} title="Device not found" action={<Link href={paths.telemetry(slug)} className={linkClass}>Show fleet telemetry</Link>}>
            This device does not exist in {workspace.org.name}, or it was deleted with its integration.
          </EmptyState>
        </>
      );
    }
    return (
      <>
        <PageHeader
          title={device.displayName ?? device.thingName}
          description={`Telemetry of ${device.thingName} · ${device.integrationName}`}
          actions={
            <div className="flex gap-4">
              <Link href={paths.device(slug, device.id)} className={linkClass}>Device details</Link>
              <Link href={paths.telemetry(slug)} className={linkClass}>Fleet telemetry</Link>
            </div>
          }
        />
        <DeviceTelemetryChart orgSlug={slug} deviceId={device.id} {...settings} syncUrl />
      </>
    );
  }

  const { filter, invalid } = parseDeviceFilter(search);
  const { counts, preview, integrationNames } = await asUser(workspace.user.claims, async (db) => ({
    counts: await countFleetDevices(db, workspace.org.id, filter),
    preview: await listFleetDevicesPreview(db, workspace.org.id, filter),
    integrationNames: Object.fromEntries(
      (await db<{ id: string; name: string }[]>`select id, name from public.integrations where org_id = ${workspace.org.id}`).map((r) => [r.id, r.name]),
    ),
  }));
  if (counts.total === 0) {
    return (
      <>
        <PageHeader title="Telemetry" description="Charts of device measurements over time." />
        <EmptyState icon={<TelemetryIcon className="size-10" />} title="No devices yet" action={<Link href={paths.integrations(slug)} className={linkClass}>Go to integrations</Link>}>
          Charts come from Amazon Timestream or from the shadow history Fleetline records once devices are syncing. Connect an AWS account to start.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Telemetry" description={`${number.format(counts.selected)} of ${number.format(counts.total)} devices selected.`} />
      <FilterSummary orgSlug={slug} filter={filter} invalid={invalid} integrationNames={integrationNames} />
      <FleetTelemetryChart orgSlug={slug} filterQuery={deviceFilterQuery(filter)} {...settings} syncUrl />
      {preview.length > 0 ? (
        <section className="mt-6" aria-labelledby="telemetry-devices">
          <h2 id="telemetry-devices" className="mb-2 text-sm font-semibold text-ink">
            Chart one device
          </h2>
          <ul className="flex flex-wrap gap-2">
            {preview.map((d) => (
              <li key={d.id}>
                <Link href={paths.deviceTelemetry(slug, d.id)} className="inline-block rounded-md border border-line bg-surface px-2.5 py-1 text-sm text-ink hover:bg-surface-muted">
                  {d.displayName ?? d.thingName}
                </Link>
              </li>
            ))}
            {counts.selected > preview.length ? (
              <li className="self-center text-sm text-ink-muted">
                and {number.format(counts.selected - preview.length)} more in the <Link href={paths.devices(slug, deviceFilterQuery(filter))} className={linkClass}>device list</Link>
              </li>
            ) : null}
          </ul>
        </section>
      ) : null}
    </>
  );
}
