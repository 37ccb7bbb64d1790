'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { BinSize, RangeChoice } from '../range';
import type { TelemetrySeriesDto } from '../schemas';

export const telemetryKeys = {
  all: ['telemetry'] as const,
  series: (orgSlug: string, query: string) => ['telemetry', orgSlug, query] as const,
};

export class TelemetryFetchError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors?: Record<string, string[] | undefined>,
  ) {
    super(message);
  }
}

export interface TelemetryParams {
  metric: string;
  range: RangeChoice;
  /** ISO bounds of a custom range. */
  from?: string;
  to?: string;
  bin?: BinSize;
  device?: string;
}

/** The route's query string: chart parameters, then the device filter's own `?…` parameters. */
export function telemetryQueryString(params: TelemetryParams, filterQuery = ''): string {
  const search = new URLSearchParams(filterQuery.startsWith('?') ? filterQuery.slice(1) : filterQuery);
  for (const key of ['metric', 'range', 'from', 'to', 'bin', 'device'] as const) search.delete(key);
  search.set('metric', params.metric);
  search.set('range', params.range);
  if (params.range === 'custom' && params.from && params.to) {
    search.set('from', params.from);
    search.set('to', params.to);
  }
  if (params.bin) search.set('bin', params.bin);
  if (params.device) search.set('device', params.device);
  return search.toString();
}

// Ranges that reach "now" refresh once a minute, or every few seconds when a source is the Fleetline
// store (live data on: points arrive as devices send them); finished custom ranges never change.
const LIVE_REFRESH_MS = 60_000;
export const LIVE_DATA_REFRESH_MS = 5_000;

/** Chart data from the telemetry route; the previous chart stays visible while the next one loads. */
export function useTelemetry(orgSlug: string, query: string, live: boolean) {
  return useQuery({
    queryKey: telemetryKeys.series(orgSlug, query),
    queryFn: async ({ signal }) => {
      const res = await fetch(`/api/orgs/${encodeURIComponent(orgSlug)}/telemetry?${query}`, { signal, cache: 'no-store' });
      const body = (await res.json().catch(() => null)) as (TelemetrySeriesDto & { error?: string; fieldErrors?: Record<string, string[]> }) | null;
      if (!res.ok || !body) {
        const message = res.status === 401 ? 'Your session has ended. Please sign in again.' : (body?.error ?? 'Could not load telemetry.');
        throw new TelemetryFetchError(res.status, message, body?.fieldErrors);
      }
      return body as TelemetrySeriesDto;
    },
    placeholderData: keepPreviousData,
    refetchInterval: (q) => {
      if (!live) return false;
      return q.state.data?.sources.some((s) => s.source === 'fleetline_store') ? LIVE_DATA_REFRESH_MS : LIVE_REFRESH_MS;
    },
    retry: (failures, error) => failures < 1 && !(error instanceof TelemetryFetchError && error.status < 500),
  });
}
