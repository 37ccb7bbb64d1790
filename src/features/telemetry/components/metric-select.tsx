'use client';

import { Select } from '@/components/ui/field';
import { KNOWN_METRICS } from '../schemas';

export function MetricSelect({ id, value, onChange }: { id: string; value: string; onChange: (metric: string) => void }) {
  const known = KNOWN_METRICS.some((m) => m.id === value);
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm font-medium text-ink">
        Metric
      </label>
      <Select id={id} value={value} onChange={(e) => onChange(e.target.value)} className="w-auto min-w-40">
        {KNOWN_METRICS.map((m) => (
          <option key={m.id} value={m.id}>
            {m.label}
            {m.unit ? ` (${m.unit})` : ''}
          </option>
        ))}
        {known ? null : <option value={value}>{value}</option>}
      </Select>
    </div>
  );
}
