'use client';

import type { RangeChoice } from '../range';
import type { CustomRange } from './custom-range-form';
import { TelemetryPanel } from './telemetry-panel';

/**
 * Average across the devices a filter selects, over their min–max band. `filterQuery` is the device
 * filter's `?…` (features/devices/filters `deviceFilterQuery`).
 */
export function FleetTelemetryChart({ orgSlug, filterQuery, title = 'Fleet telemetry', description, initialMetric, initialRange, initialCustom, syncUrl }: {
  orgSlug: string;
  filterQuery: string;
  title?: string;
  description?: string;
  initialMetric?: string;
  initialRange?: RangeChoice;
  initialCustom?: CustomRange | null;
  syncUrl?: boolean;
}) {
  return (
    <TelemetryPanel
      orgSlug={orgSlug}
      scope={{ kind: 'fleet', filterQuery }}
      title={title}
      description={description ?? 'Average across the selected devices, with the band between their minimum and maximum.'}
      initialMetric={initialMetric}
      initialRange={initialRange}
      initialCustom={initialCustom}
      syncUrl={syncUrl}
    />
  );
}
