'use client';

import type { RangeChoice } from '../range';
import type { CustomRange } from './custom-range-form';
import { TelemetryPanel } from './telemetry-panel';

/**
 * A device's telemetry chart (range buttons, metric selector, min–max band, tooltips). Embeddable:
 * the device page can render `<DeviceTelemetryChart orgSlug={…} deviceId={…} />` as is.
 */
export function DeviceTelemetryChart({ orgSlug, deviceId, title = 'Telemetry', initialMetric, initialRange, initialCustom, syncUrl }: {
  orgSlug: string;
  deviceId: string;
  title?: string;
  initialMetric?: string;
  initialRange?: RangeChoice;
  initialCustom?: CustomRange | null;
  syncUrl?: boolean;
}) {
  return (
    <TelemetryPanel
      orgSlug={orgSlug}
      scope={{ kind: 'device', deviceId }}
      title={title}
      initialMetric={initialMetric}
      initialRange={initialRange}
      initialCustom={initialCustom}
      syncUrl={syncUrl}
    />
  );
}
