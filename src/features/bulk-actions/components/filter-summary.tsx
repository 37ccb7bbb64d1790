import { Badge } from '@/components/ui/badge';
import type { DeviceFilter } from '@/features/devices/filters';

/** The device filter in words, one chip per condition. */
export function FilterSummary({ filter }: { filter: DeviceFilter }) {
  const chips: string[] = [];
  if (filter.q) chips.push(`matches “${filter.q}”`);
  if (filter.status?.length) chips.push(`status ${filter.status.join(' or ')}`);
  if (filter.type) chips.push(`type ${filter.type}`);
  if (filter.group) chips.push(`group ${filter.group}`);
  if (filter.firmware) chips.push(`firmware ${filter.firmware}`);
  if (filter.integration) chips.push('one integration');
  for (const a of filter.attr ?? []) chips.push(`${a.key} = ${a.value}`);
  if (filter.batteryBelow !== undefined) chips.push(`battery below ${filter.batteryBelow} %`);
  if (chips.length === 0) return <span className="text-sm text-ink-muted">No filter: every device of the organization.</span>;
  return (
    <span className="inline-flex flex-wrap gap-1.5" data-testid="filter-summary">
      {chips.map((c) => (
        <Badge key={c} tone="brand">{c}</Badge>
      ))}
    </span>
  );
}
