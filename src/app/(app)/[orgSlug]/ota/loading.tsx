/** Shown while an OTA page loads (the list, the wizard or one job). */
export default function Loading() {
  return (
    <div className="animate-pulse space-y-6" aria-busy="true" aria-label="Loading OTA jobs">
      <div className="space-y-2">
        <div className="h-7 w-56 rounded bg-surface-muted" />
        <div className="h-4 w-80 max-w-full rounded bg-surface-muted" />
      </div>
      <div className="space-y-3 rounded-lg border border-line bg-surface p-5">
        {[0, 1, 2].map((i) => (
          <div key={i} className="h-10 rounded bg-surface-muted" />
        ))}
      </div>
    </div>
  );
}
