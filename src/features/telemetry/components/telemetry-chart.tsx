'use client';

import { useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TelemetryPoint } from '../schemas';
import { formatValue, tickFormatter, timeTicks } from './format';
import { TelemetryTooltip } from './telemetry-tooltip';

/** One slot of the time axis; buckets without data stay null so the line shows a gap there. */
export interface ChartRow {
  t: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  band: [number, number] | null;
  count: number;
}

// Theme colours as CSS variables, so the same SVG follows light and dark mode.
const LINE = 'var(--color-sky-500)';
const BAND = 'var(--color-sky-400)';
const GRID = 'var(--fl-line)';
const TICK = 'var(--fl-ink-muted)';

function rows(points: readonly TelemetryPoint[], fromMs: number, toMs: number, binMs: number): ChartRow[] {
  const byTime = new Map(points.map((p) => [p.t, p]));
  const out: ChartRow[] = [];
  for (let t = fromMs; t < toMs; t += binMs) {
    const p = byTime.get(t);
    out.push(p ? { t, avg: p.avg, min: p.min, max: p.max, band: [p.min, p.max], count: p.count } : { t, avg: null, min: null, max: null, band: null, count: 0 });
  }
  return out;
}

export interface TelemetryChartProps {
  points: readonly TelemetryPoint[];
  fromMs: number;
  toMs: number;
  binMs: number;
  binLabel: string;
  unit: string;
  /** Accessible summary of what the chart shows. */
  label: string;
  fleet: boolean;
  /** Range key of the data on screen (for tests and the "updating" state). */
  rangeKey: string;
}

/** Average line over a min–max band, with a time axis fixed to the requested range. */
export function TelemetryChart({ points, fromMs, toMs, binMs, binLabel, unit, label, fleet, rangeKey }: TelemetryChartProps) {
  const data = useMemo(() => rows(points, fromMs, toMs, binMs), [points, fromMs, toMs, binMs]);
  const formatTick = useMemo(() => tickFormatter(toMs - fromMs), [fromMs, toMs]);
  const ticks = useMemo(() => timeTicks(fromMs, toMs), [fromMs, toMs]);
  return (
    <figure
      className="flex h-72 w-full flex-col sm:h-80"
      data-testid="telemetry-chart"
      data-point-count={points.length}
      data-bucket-count={data.length}
      data-range={rangeKey}
    >
      <figcaption className="sr-only">{label}</figcaption>
      {unit ? (
        <p className="mb-1 text-xs text-ink-muted" aria-hidden>
          {unit}
        </p>
      ) : null}
      <div className="min-h-0 flex-1">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={GRID} strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={[fromMs, toMs]}
              ticks={ticks}
              tickFormatter={formatTick}
              tick={{ fill: TICK, fontSize: 12 }}
              stroke={GRID}
              minTickGap={24}
            />
            <YAxis
              width={44}
              domain={['auto', 'auto']}
              tickFormatter={(v: number) => formatValue(v, '')}
              tick={{ fill: TICK, fontSize: 12 }}
              stroke={GRID}
            />
            <Tooltip
              cursor={{ stroke: TICK, strokeDasharray: '3 3' }}
              isAnimationActive={false}
              content={(props) => <TelemetryTooltip row={props.payload?.[0]?.payload as ChartRow | undefined} unit={unit} binLabel={binLabel} fleet={fleet} />}
            />
            <Area dataKey="band" type="linear" stroke="none" fill={BAND} fillOpacity={0.22} isAnimationActive={false} connectNulls={false} activeDot={false} name="Min – max" />
            <Line dataKey="avg" type="linear" stroke={LINE} strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} name="Average" />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
