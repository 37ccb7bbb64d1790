import Link from 'next/link';
import { icons } from '@/components/shell/icons';
import { EmptyState } from '@/components/ui/empty-state';
import { paths } from '@/lib/paths';

/** The overview before the first device arrives: integrations exist but nothing is synced yet. */
export function NoDevices({ orgSlug, canConnect, syncing }: { orgSlug: string; canConnect: boolean; syncing: boolean }) {
  return (
    <EmptyState
      icon={<icons.devices className="size-10" />}
      title="No devices yet"
      action={
        <Link href={paths.integrations(orgSlug)} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
          {canConnect ? 'Connect an integration' : 'See integrations'}
        </Link>
      }
    >
      {syncing
        ? 'The first sync is running; counts, firmware versions and charts appear as soon as it has read the fleet.'
        : 'Connect an integration whose AWS account has things, or check the last sync of the existing ones.'}
    </EmptyState>
  );
}
