'use client';

import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { FUTURE_TOLERANCE_MS, MAX_SPAN_MS } from '../range';
import { toLocalInput } from './format';

export interface CustomRange {
  from: string;
  to: string;
}

/**
 * Start and end as native date-time fields (keyboard-friendly, local time); Enter applies.
 * Checks what the server checks, so a mistake is named at the field before any request.
 */
export function CustomRangeForm({ idPrefix, initial, onApply, onCancel }: {
  idPrefix: string;
  initial: CustomRange | null;
  onApply: (range: CustomRange) => void;
  onCancel: () => void;
}) {
  const [from, setFrom] = useState(() => toLocalInput(initial ? Date.parse(initial.from) : Date.now() - 6 * 3_600_000));
  const [to, setTo] = useState(() => toLocalInput(initial ? Date.parse(initial.to) : Date.now()));
  const [errors, setErrors] = useState<{ from?: string; to?: string }>({});

  function submit(event: FormEvent) {
    event.preventDefault();
    const fromMs = from ? new Date(from).getTime() : Number.NaN;
    const toMs = to ? new Date(to).getTime() : Number.NaN;
    const next: { from?: string; to?: string } = {};
    if (!Number.isFinite(fromMs)) next.from = 'Choose a start time.';
    if (!Number.isFinite(toMs)) next.to = 'Choose an end time.';
    else if (toMs > Date.now() + FUTURE_TOLERANCE_MS) next.to = 'The end cannot be in the future.';
    else if (Number.isFinite(fromMs) && toMs <= fromMs) next.to = 'The end must be after the start.';
    else if (Number.isFinite(fromMs) && toMs - fromMs > MAX_SPAN_MS) next.to = 'A chart covers at most 31 days.';
    setErrors(next);
    if (next.from || next.to) return;
    onApply({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Custom time range" className="grid gap-3 rounded-md border border-line bg-surface-muted/50 p-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
      <Field id={`${idPrefix}-from`} label="From" errors={errors.from ? [errors.from] : undefined}>
        <Input id={`${idPrefix}-from`} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} invalid={!!errors.from} required />
      </Field>
      <Field id={`${idPrefix}-to`} label="To" errors={errors.to ? [errors.to] : undefined}>
        <Input id={`${idPrefix}-to`} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} invalid={!!errors.to} required />
      </Field>
      <div className="flex gap-2">
        <Button type="submit" size="sm">
          Apply
        </Button>
        <Button type="button" size="sm" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
