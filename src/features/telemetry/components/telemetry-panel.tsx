'use client';

import { useId, useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { BIN_LABELS, BIN_MS, PRESET_LABELS, type RangeChoice } from '../range';
import { metricDefinition, type TelemetrySeriesDto } from '../schemas';
import { CustomRangeForm, type CustomRange } from './custom-range-form';
import { DownloadCsvLink } from './download-csv-link';
import { formatRange, formatValue } from './format';
import { MetricSelect } from './metric-select';
import { RangePicker } from './range-picker';
import { TelemetryChart } from './telemetry-chart';
import { TelemetryMeta } from './telemetry-meta';
import { TelemetryFetchError, telemetryQueryString, useTelemetry } from './use-telemetry';

export type TelemetryScope = { kind: 'device'; deviceId: string } | { kind: 'fleet'; filterQuery: string };

export interface TelemetryPanelProps {
  orgSlug: string;
  scope: TelemetryScope;
  title: string;
  description?: string;
  initialMetric?: string;
  initialRange?: RangeChoice;
  initialCustom?: CustomRange | null;
  /** Mirror metric and range into the page URL (the telemetry page; not when embedded elsewhere). */
  syncUrl?: boolean;
}

function summary(data: TelemetrySeriesDto, unit: string, label: string): string {
  if (data.points.length === 0) return `${label}: no data in this range.`;
  const lo = Math.min(...data.points.map((p) => p.min));
  const hi = Math.max(...data.points.map((p) => p.max));
  return `${label}, ${formatRange(Date.parse(data.from), Date.parse(data.to))}, ${data.points.length} points of ${BIN_LABELS[data.bin]}, between ${formatValue(lo, unit)} and ${formatValue(hi, unit)}.`;
}

/** Controls, chart and its facts for one device or a filtered fleet, with loading, empty and error states. */
export function TelemetryPanel({ orgSlug, scope, title, description, initialMetric = 'temperature', initialRange = '24h', initialCustom = null, syncUrl = false }: TelemetryPanelProps) {
  const id = useId();
  const [metric, setMetric] = useState(initialMetric);
  const [range, setRange] = useState<RangeChoice>(initialRange === 'custom' && !initialCustom ? '24h' : initialRange);
  const [custom, setCustom] = useState<CustomRange | null>(initialCustom);
  const [editingCustom, setEditingCustom] = useState(false);

  const deviceId = scope.kind === 'device' ? scope.deviceId : undefined;
  const filterQuery = scope.kind === 'fleet' ? scope.filterQuery : '';
  const query = useMemo(
    () => telemetryQueryString({ metric, range, ...(range === 'custom' && custom ? custom : {}), ...(deviceId ? { device: deviceId } : {}) }, filterQuery),
    [metric, range, custom, deviceId, filterQuery],
  );
  // Presets follow "now"; a custom range is a fixed window the user picked, so it is not polled.
  const live = range !== 'custom';
  const { data, error, isPending, isFetching, isPlaceholderData, refetch } = useTelemetry(orgSlug, query, live);

  function update(next: { metric?: string; range?: RangeChoice; custom?: CustomRange | null }) {
    const m = next.metric ?? metric;
    const r = next.range ?? range;
    const c = next.custom === undefined ? custom : next.custom;
    if (next.metric !== undefined) setMetric(m);
    if (next.range !== undefined) setRange(r);
    if (next.custom !== undefined) setCustom(c);
    if (syncUrl) {
      const url = new URL(window.location.href);
      for (const key of ['metric', 'range', 'from', 'to']) url.searchParams.delete(key);
      url.searchParams.set('metric', m);
      url.searchParams.set('range', r);
      if (r === 'custom' && c) {
        url.searchParams.set('from', c.from);
        url.searchParams.set('to', c.to);
      }
      window.history.replaceState(null, '', url);
    }
  }

  const def = metricDefinition(metric);
  const fleet = scope.kind === 'fleet';
  const shownRange = data ? `${data.range}:${data.metric}` : '';
  const updating = isFetching && (isPlaceholderData || isPending);

  return (
    <Card title={title} description={description}>
      <div className="space-y-4">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <RangePicker
            value={editingCustom ? 'custom' : range}
            onChange={(choice) => {
              if (choice === 'custom') setEditingCustom(true);
              else {
                setEditingCustom(false);
                update({ range: choice });
              }
            }}
          />
          <div className="flex flex-wrap items-center gap-2">
            <MetricSelect id={`${id}-metric`} value={metric} onChange={(m) => update({ metric: m })} />
            <DownloadCsvLink orgSlug={orgSlug} query={query} />
          </div>
        </div>
        {editingCustom ? (
          <CustomRangeForm
            idPrefix={id}
            initial={custom}
            onApply={(c) => {
              setEditingCustom(false);
              update({ range: 'custom', custom: c });
            }}
            onCancel={() => setEditingCustom(false)}
          />
        ) : null}

        <div className="relative" aria-busy={updating || undefined}>
          {isPending && !data ? (
            <div role="status" className="flex h-72 items-center justify-center rounded-md bg-surface-muted/60 text-sm text-ink-muted sm:h-80">
              <span className="mr-2 size-4 animate-spin rounded-full border-2 border-current border-t-transparent" aria-hidden />
              Loading telemetry…
            </div>
          ) : error && !data ? (
            <div role="alert" className="flex h-72 flex-col items-center justify-center gap-3 rounded-md border border-danger-200 bg-danger-50 px-6 text-center text-sm text-danger-700 sm:h-80 dark:border-danger-800 dark:bg-danger-950 dark:text-danger-300">
              <p>{error.message}</p>
              {error instanceof TelemetryFetchError && error.status >= 400 && error.status < 500 ? (
                <p className="text-danger-600 dark:text-danger-400">Choose another range or metric above.</p>
              ) : (
                <Button size="sm" variant="secondary" onClick={() => void refetch()}>
                  Try again
                </Button>
              )}
            </div>
          ) : data && data.points.length === 0 ? (
            <div className="flex h-72 flex-col items-center justify-center gap-1 rounded-md border border-dashed border-line text-center text-sm sm:h-80" data-testid="telemetry-empty" data-range={shownRange}>
              <p className="font-medium text-ink">No {def.label.toLowerCase()} data in this range</p>
              <p className="max-w-sm text-ink-muted">
                {data.devices === 0
                  ? 'No devices match this filter.'
                  : `Nothing was recorded in ${formatRange(Date.parse(data.from), Date.parse(data.to))}. Try a longer range or another metric.`}
              </p>
            </div>
          ) : data ? (
            <TelemetryChart
              points={data.points}
              fromMs={Date.parse(data.from)}
              toMs={Date.parse(data.to)}
              binMs={BIN_MS[data.bin]}
              binLabel={BIN_LABELS[data.bin]}
              unit={metricDefinition(data.metric).unit}
              label={summary(data, metricDefinition(data.metric).unit, `${fleet ? 'Fleet average' : 'Average'} ${metricDefinition(data.metric).label.toLowerCase()}`)}
              fleet={fleet}
              rangeKey={shownRange}
            />
          ) : null}
          {updating && data ? (
            <p role="status" className="absolute top-2 right-3 rounded bg-surface/90 px-2 py-0.5 text-xs text-ink-muted shadow-xs">
              Updating to {PRESET_LABELS[range]}…
            </p>
          ) : null}
        </div>
        {error && data ? (
          <p role="alert" className="text-sm text-danger-600 dark:text-danger-400">
            {error.message} (showing the previous chart)
          </p>
        ) : null}
        {data ? <TelemetryMeta data={data} /> : null}
      </div>
    </Card>
  );
}
