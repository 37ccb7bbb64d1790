'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Select } from '@/components/ui/field';
import { cn } from '@/lib/cn';
import { relativeTime } from '@/lib/format';
import type { ShadowDto } from '@/features/commands/queries';
import { formatLeaf, secondsToIso, shadowRows } from '../shadow-rows';

export const CLASSIC = '__classic__';

/**
 * Reported, desired and delta side by side, one row per key (nested keys as dotted paths), with
 * when each value was written (shadow metadata, relative); a toggle shows the raw JSON instead.
 */
export function ShadowViewer({
  shadows,
  namedShadowsKnown,
  selected,
  onSelect,
  now,
}: {
  shadows: { name: string | null; shadow: ShadowDto | null }[];
  namedShadowsKnown: boolean;
  selected: string;
  onSelect: (name: string) => void;
  now: string;
}) {
  const [raw, setRaw] = useState(false);
  const current = shadows.find((s) => (s.name ?? CLASSIC) === selected)?.shadow ?? null;
  const rows = current ? shadowRows(current) : [];
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-48">
          <label htmlFor="shadow-select" className="mb-1 block text-xs font-medium text-ink-muted">
            Shadow
          </label>
          <Select id="shadow-select" value={selected} onChange={(e) => onSelect(e.target.value)}>
            {shadows.map((s) => (
              <option key={s.name ?? CLASSIC} value={s.name ?? CLASSIC}>
                {s.name === null ? 'Classic shadow' : `Named: ${s.name}`}
              </option>
            ))}
          </Select>
        </div>
        <div className="flex items-center gap-3 text-xs text-ink-muted">
          {current?.version != null ? <span>Version {current.version}</span> : null}
          <Button variant="secondary" size="sm" aria-pressed={raw} onClick={() => setRaw((r) => !r)}>
            {raw ? 'Show table' : 'Raw JSON'}
          </Button>
        </div>
      </div>
      {!namedShadowsKnown ? (
        <p className="text-xs text-ink-muted">
          Named shadows are not in this integration’s fleet index, so only the classic shadow (and named shadows written from here) are shown.
        </p>
      ) : null}
      {!current ? (
        <p className="rounded-md border border-dashed border-line px-4 py-6 text-center text-sm text-ink-muted">This device has no such shadow yet.</p>
      ) : raw ? (
        <pre data-testid="shadow-raw" className="max-h-[28rem] overflow-auto rounded-md border border-line bg-surface-muted p-3 font-mono text-xs text-ink">
          {JSON.stringify({ state: { reported: current.reported, desired: current.desired, delta: current.delta }, metadata: current.metadata, version: current.version }, null, 2)}
        </pre>
      ) : rows.length === 0 ? (
        <p className="text-sm text-ink-muted">The shadow is empty.</p>
      ) : (
        <div className="-mx-5 overflow-x-auto">
          <table className="w-full min-w-[36rem] text-sm" aria-label="Shadow state">
            <thead className="text-left text-xs text-ink-muted">
              <tr>
                <th className="px-5 py-1 font-medium">Key</th>
                <th className="py-1 font-medium">Reported</th>
                <th className="py-1 font-medium">Desired</th>
                <th className="px-5 py-1 font-medium">Delta</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.path} className={cn('border-t border-line align-top', r.delta !== undefined && 'bg-warning-50/60 dark:bg-warning-950/40')} data-testid="shadow-row" data-key={r.path}>
                  <th scope="row" className="px-5 py-1.5 text-left font-mono text-xs font-normal text-ink">{r.path}</th>
                  <td className="py-1.5 pr-3">
                    <Leaf value={r.reported} at={r.reportedAt} now={now} testId="reported" />
                  </td>
                  <td className="py-1.5 pr-3">
                    <Leaf value={r.desired} at={r.desiredAt} now={now} testId="desired" />
                  </td>
                  <td className="px-5 py-1.5">
                    <Leaf value={r.delta} at={null} now={now} testId="delta" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Leaf({ value, at, now, testId }: { value: unknown; at: number | null; now: string; testId: string }) {
  if (value === undefined) return <span className="text-ink-faint">—</span>;
  const iso = secondsToIso(at);
  return (
    <span className="block">
      <span className="break-all font-mono text-xs text-ink" data-testid={testId}>{formatLeaf(value)}</span>
      {iso ? (
        <time dateTime={iso} title={iso} className="block text-xs text-ink-muted">
          {relativeTime(iso, now)}
        </time>
      ) : null}
    </span>
  );
}
