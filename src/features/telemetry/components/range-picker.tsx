'use client';

import { cn } from '@/lib/cn';
import { PRESET_LABELS, RANGE_PRESETS, type RangeChoice } from '../range';

/** The range buttons (1 h … 30 d, Custom) as a toggle group; arrow keys work through normal tabbing. */
export function RangePicker({ value, onChange }: { value: RangeChoice; onChange: (range: RangeChoice) => void }) {
  const choices: RangeChoice[] = [...RANGE_PRESETS, 'custom'];
  return (
    <div role="group" aria-label="Time range" className="inline-flex flex-wrap rounded-md border border-line bg-surface p-0.5 shadow-xs">
      {choices.map((choice) => (
        <button
          key={choice}
          type="button"
          aria-pressed={value === choice}
          onClick={() => onChange(choice)}
          className={cn(
            'rounded px-2.5 py-1 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-brand-600',
            value === choice ? 'bg-brand-600 text-white' : 'text-ink-muted hover:bg-surface-muted hover:text-ink',
          )}
        >
          {PRESET_LABELS[choice]}
        </button>
      ))}
    </div>
  );
}
