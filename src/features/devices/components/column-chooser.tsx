'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { COLUMN_LABELS, COLUMNS_COOKIE, DEVICE_COLUMNS, serializeColumns, type DeviceColumn } from '../columns';

function saveColumns(columns: DeviceColumn[]) {
  document.cookie = `${COLUMNS_COOKIE}=${serializeColumns(columns)}; path=/; max-age=31536000; samesite=lax`;
}

/**
 * Which optional columns the device table shows. The choice is a cookie (a year, this browser), so
 * the server renders the chosen table on every visit; toggling re-renders the page.
 */
export function ColumnChooser({ initial }: { initial: DeviceColumn[] }) {
  const router = useRouter();
  const [columns, setColumns] = useState(initial);
  const [pending, startTransition] = useTransition();

  function toggle(column: DeviceColumn) {
    const next = columns.includes(column) ? columns.filter((c) => c !== column) : [...columns, column];
    setColumns(next);
    saveColumns(next);
    startTransition(() => router.refresh());
  }

  return (
    <details className="relative" data-testid="column-chooser">
      <summary className="inline-flex cursor-pointer list-none items-center rounded-md border border-line bg-surface px-2.5 py-1 text-sm font-medium text-ink hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600">
        Columns
      </summary>
      <fieldset className="absolute right-0 z-10 mt-1 w-52 space-y-1 rounded-md border border-line bg-surface p-3 shadow-lg" aria-busy={pending || undefined}>
        <legend className="sr-only">Columns to show</legend>
        {DEVICE_COLUMNS.map((c) => (
          <label key={c} className="flex items-center gap-2 text-sm text-ink">
            <input type="checkbox" checked={columns.includes(c)} onChange={() => toggle(c)} className="size-4 accent-brand-600" />
            {COLUMN_LABELS[c]}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
