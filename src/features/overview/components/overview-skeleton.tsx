/** Placeholder with the overview's layout while its aggregates load (announced once as busy). */
export function OverviewSkeleton() {
  const block = 'animate-pulse rounded-lg border border-line bg-surface shadow-xs';
  return (
    <div aria-busy="true" aria-live="polite" data-testid="overview-skeleton">
      <span className="sr-only">Loading the overview…</span>
      <div className="mb-6 space-y-2" aria-hidden>
        <div className="h-7 w-48 animate-pulse rounded bg-surface-muted" />
        <div className="h-4 w-64 animate-pulse rounded bg-surface-muted" />
      </div>
      <div className="space-y-6" aria-hidden>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4 sm:gap-4">
          {Array.from({ length: 4 }, (_, i) => (
            <div key={i} className={`${block} h-[5.25rem]`} />
          ))}
        </div>
        <div className={`${block} h-24`} />
        <div className="grid gap-6 lg:grid-cols-2">
          {Array.from({ length: 6 }, (_, i) => (
            <div key={i} className={`${block} h-72`} />
          ))}
        </div>
      </div>
    </div>
  );
}
