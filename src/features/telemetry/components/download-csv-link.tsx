import { paths } from '@/lib/paths';

const linkClass =
  'inline-flex items-center rounded-md border border-line bg-surface px-2.5 py-1 text-sm font-medium text-ink hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600';

/** Downloads the series the chart shows (same query: metric, range, bin, device or filter) as CSV. */
export function DownloadCsvLink({ orgSlug, query }: { orgSlug: string; query: string }) {
  return (
    <a href={paths.telemetryExport(orgSlug, query)} download className={linkClass} data-testid="telemetry-download-csv">
      Download CSV
    </a>
  );
}
