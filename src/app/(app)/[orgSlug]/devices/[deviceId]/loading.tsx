/** Shown while the device page's reads run. */
export default function Loading() {
  return (
    <div className="animate-pulse space-y-6" aria-busy="true" aria-label="Loading the device">
      <div className="h-8 w-64 rounded bg-surface-muted" />
      <div className="h-24 rounded-lg border border-line bg-surface" />
      <div className="h-72 rounded-lg border border-line bg-surface" />
    </div>
  );
}
