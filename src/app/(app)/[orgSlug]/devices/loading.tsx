/** Shown while the device list loads (a new filter, sort or page). */
export default function Loading() {
  return (
    <div className="animate-pulse space-y-4" aria-busy="true" aria-label="Loading devices">
      <div className="space-y-2">
        <div className="h-7 w-40 rounded bg-surface-muted" />
        <div className="h-4 w-56 max-w-full rounded bg-surface-muted" />
      </div>
      <div className="h-36 rounded-lg border border-line bg-surface" />
      <div className="space-y-3 rounded-lg border border-line bg-surface p-5">
        {[0, 1, 2, 3, 4, 5].map((i) => (
          <div key={i} className="h-8 rounded bg-surface-muted" />
        ))}
      </div>
    </div>
  );
}
