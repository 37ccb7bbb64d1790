import Link from 'next/link';
import { paths } from '@/lib/paths';
import type { IntegrationSummary } from '../queries';
import { IntegrationStatusBadge } from './integration-status-badge';

const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

function lastSync(i: IntegrationSummary): string {
  if (i.lastSyncAt) return when.format(i.lastSyncAt);
  return i.status === 'paused' ? 'Never (paused)' : 'Waiting for the first sync';
}

/** The organization's integrations: a table on wide screens, cards on narrow ones. */
export function IntegrationList({ orgSlug, items }: { orgSlug: string; items: IntegrationSummary[] }) {
  return (
    <div className="overflow-hidden rounded-lg border border-line bg-surface shadow-xs">
      <table className="w-full text-left text-sm" aria-label="Integrations">
        <thead className="hidden border-b border-line bg-surface-muted text-xs uppercase tracking-wide text-ink-muted md:table-header-group">
          <tr>
            <th scope="col" className="px-4 py-2.5 font-medium">Name</th>
            <th scope="col" className="px-4 py-2.5 font-medium">Region</th>
            <th scope="col" className="px-4 py-2.5 font-medium">Connection</th>
            <th scope="col" className="px-4 py-2.5 font-medium">Status</th>
            <th scope="col" className="px-4 py-2.5 font-medium">Last sync</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {items.map((i) => (
            <tr key={i.id} data-testid="integration-row" className="grid gap-1 px-4 py-3 md:table-row md:p-0">
              <td className="md:px-4 md:py-3">
                <Link href={paths.integration(orgSlug, i.id)} className="font-medium text-brand-700 hover:underline dark:text-brand-300">
                  {i.name}
                </Link>
                {i.lastError ? (
                  <p className="mt-0.5 line-clamp-2 max-w-md text-xs text-danger-700 dark:text-danger-300" data-testid="integration-last-error">
                    {i.lastError}
                  </p>
                ) : null}
              </td>
              <td className="font-mono text-xs text-ink-muted md:px-4 md:py-3">{i.region}</td>
              <td className="text-ink-muted md:px-4 md:py-3">
                {i.authType === 'access_keys' ? (
                  <>
                    Access keys <span className="font-mono text-xs text-ink" data-testid="credentials-hint">{i.credentialsHint}</span>
                  </>
                ) : (
                  <>IAM role <span className="font-mono text-xs text-ink">{i.roleArn?.split(':')[4]}</span></>
                )}
              </td>
              <td className="md:px-4 md:py-3">
                <IntegrationStatusBadge status={i.status} />
              </td>
              <td className="text-xs text-ink-muted md:px-4 md:py-3">{lastSync(i)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
