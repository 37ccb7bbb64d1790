import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { COLUMNS_COOKIE, parseColumns } from '@/features/devices/columns';
import { ColumnChooser } from '@/features/devices/components/column-chooser';
import { DeviceFilterBar } from '@/features/devices/components/device-filter-bar';
import { DeviceListPager } from '@/features/devices/components/device-list-pager';
import { DeviceTable } from '@/features/devices/components/device-table';
import { InvalidParamsNotice } from '@/features/devices/components/invalid-params-notice';
import { deviceFilterQuery, isEmptyDeviceFilter } from '@/features/devices/filters';
import { deviceListQuery, parseDeviceListParams } from '@/features/devices/list-params';
import { loadDeviceList } from '@/features/devices/queries';
import { loadWorkspace } from '@/features/orgs/workspace';
import { asUser } from '@/lib/db';
import { number } from '@/lib/format';
import { paths } from '@/lib/paths';
import { hasRole } from '@/lib/roles';

export const metadata: Metadata = { title: 'Devices' };

const actionLink =
  'inline-flex items-center rounded-md border border-line bg-surface px-2.5 py-1 text-sm font-medium text-ink hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600';

export default async function DevicesPage({ params, searchParams }: {
  params: Promise<{ orgSlug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { orgSlug } = await params;
  const { user, org, role } = await loadWorkspace(orgSlug);
  const { invalid, ...list } = parseDeviceListParams(await searchParams);
  const columns = parseColumns((await cookies()).get(COLUMNS_COOKIE)?.value);
  const view = await asUser(user.claims, (db) => loadDeviceList(db, org.id, list));
  if (view.page.cursorRejected) invalid.push('cursor');
  const nowIso = new Date().toISOString();
  const filtered = !isEmptyDeviceFilter(list.filter);
  const exportQuery = deviceListQuery({ filter: list.filter, sort: list.sort, dir: list.dir });

  if (view.total === 0) {
    return (
      <>
        <PageHeader title="Devices" description="Every AWS IoT Thing of your connected accounts, searchable and filterable." />
        <InvalidParamsNotice invalid={invalid} />
        <EmptyState
          icon={<icons.devices className="size-10" />}
          title="No devices yet"
          action={
            hasRole(role, 'admin') ? (
              <Link href={paths.integrations(org.slug)} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
                Go to integrations
              </Link>
            ) : null
          }
        >
          Devices appear here after the first sync of a connected AWS account.
          {hasRole(role, 'admin') ? ' Connect one under Integrations.' : ' Ask an admin of this organization to connect one.'}
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Devices"
        description={
          <span data-testid="device-count" data-count={view.count} data-exact={view.countExact}>
            {!view.countExact
              ? `More than ${number.format(view.count)} devices match these filters`
              : filtered
                ? `${number.format(view.count)} ${view.count === 1 ? 'device matches' : 'devices match'} these filters`
                : `${number.format(view.count)} ${view.count === 1 ? 'device' : 'devices'}`}
          </span>
        }
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <ColumnChooser initial={columns} />
            <a href={paths.devicesExport(org.slug, exportQuery)} download className={actionLink}>
              Export CSV
            </a>
            <Link href={paths.fleetTelemetry(org.slug, deviceFilterQuery(list.filter))} className={actionLink}>
              Chart these devices
            </Link>
            {hasRole(role, 'operator') ? (
              <Link href={paths.bulkActions(org.slug, deviceFilterQuery(list.filter))} className={actionLink}>
                Bulk actions…
              </Link>
            ) : null}
          </div>
        }
      />
      <div className="space-y-4">
        <InvalidParamsNotice invalid={invalid} />
        <DeviceFilterBar orgSlug={org.slug} filter={list.filter} sort={list.sort} dir={list.dir} facets={view.facets} />
        {view.page.items.length === 0 ? (
          <EmptyState
            icon={<icons.devices className="size-10" />}
            title={filtered ? 'No devices match these filters' : 'No devices on this page'}
            action={
              <Link href={paths.devices(org.slug)} className="text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">
                {filtered ? 'Clear filters' : 'Back to the first page'}
              </Link>
            }
          >
            {filtered ? 'Try fewer filters or another search.' : 'The devices here changed since the link was made.'}
          </EmptyState>
        ) : (
          <>
            <DeviceTable orgSlug={org.slug} items={view.page.items} columns={columns} params={list} nowIso={nowIso} />
            <DeviceListPager orgSlug={org.slug} params={list} prevCursor={view.page.prevCursor} nextCursor={view.page.nextCursor} />
          </>
        )}
      </div>
    </>
  );
}
