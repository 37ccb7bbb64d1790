'use client';

import { EmptyState } from '@/components/ui/empty-state';

/** The device list failed to load (the error is logged on the server); the filter in the URL is kept. */
export default function DevicesError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <EmptyState
      title="The device list could not be loaded"
      action={
        <button type="button" onClick={reset} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
          Try again
        </button>
      }
    >
      Something went wrong on our side. Try again; if it keeps happening, contact your administrator.
    </EmptyState>
  );
}
