'use client';

import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { ExecutionPage, OtaJobDetailDto, OtaJobSummaryDto, TargetThingDto } from '../queries';
import type { ExecutionStatus } from '../model';

/** Polling reads of the OTA pages (route handlers under /api/orgs/[orgSlug]/ota). */
export const otaKeys = {
  all: ['ota'] as const,
  list: (orgSlug: string, status?: string, cursor?: string) => ['ota', orgSlug, 'list', status ?? 'all', cursor ?? ''] as const,
  detail: (orgSlug: string, otaJobId: string) => ['ota', orgSlug, 'job', otaJobId] as const,
  executions: (orgSlug: string, otaJobId: string, status?: string, q?: string) => ['ota', orgSlug, 'job', otaJobId, 'executions', status ?? 'all', q ?? ''] as const,
  targets: (orgSlug: string, integrationId: string, q: string) => ['ota', orgSlug, 'targets', integrationId, q] as const,
};

/** A live job is refreshed from AWS about every 2 s server-side; polling a bit slower lets each poll see a fresh answer. */
export const LIVE_POLL_MS = 2_500;
const LIST_POLL_MS = 5_000;

export class OtaRequestError extends Error {
  constructor(readonly status: number) {
    super(status === 401 ? 'Your session has ended. Please sign in again.' : status === 404 ? 'Not found.' : 'Could not load the latest data. Retrying…');
  }
}

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, cache: 'no-store' });
  if (!res.ok) throw new OtaRequestError(res.status);
  return (await res.json()) as T;
}

const base = (orgSlug: string) => `/api/orgs/${encodeURIComponent(orgSlug)}/ota`;

export function useOtaJobs(orgSlug: string, options: { status?: string; cursor?: string; initialData: { items: OtaJobSummaryDto[]; nextCursor: string | null } }) {
  const params = new URLSearchParams();
  if (options.status) params.set('status', options.status);
  if (options.cursor) params.set('cursor', options.cursor);
  return useQuery({
    queryKey: otaKeys.list(orgSlug, options.status, options.cursor),
    queryFn: ({ signal }) => getJson<{ items: OtaJobSummaryDto[]; nextCursor: string | null }>(`${base(orgSlug)}?${params}`, signal),
    initialData: options.initialData,
    refetchInterval: (q) => (q.state.data?.items.some((j) => j.live) ? LIST_POLL_MS : false),
  });
}

export function useOtaJob(orgSlug: string, otaJobId: string, initialData: OtaJobDetailDto) {
  return useQuery({
    queryKey: otaKeys.detail(orgSlug, otaJobId),
    queryFn: ({ signal }) => getJson<OtaJobDetailDto>(`${base(orgSlug)}/${otaJobId}`, signal),
    initialData,
    // Stale at once, so the first poll (which may refresh from AWS) follows the server render.
    initialDataUpdatedAt: 0,
    refetchInterval: (q) => (q.state.data?.live ? LIVE_POLL_MS : false),
    refetchOnWindowFocus: true,
  });
}

export function useOtaExecutions(orgSlug: string, otaJobId: string, filter: { status?: ExecutionStatus; q?: string }, live: boolean) {
  return useInfiniteQuery({
    queryKey: otaKeys.executions(orgSlug, otaJobId, filter.status, filter.q),
    queryFn: ({ signal, pageParam }) => {
      const params = new URLSearchParams();
      if (filter.status) params.set('status', filter.status);
      if (filter.q) params.set('q', filter.q);
      if (pageParam) params.set('cursor', pageParam);
      return getJson<ExecutionPage>(`${base(orgSlug)}/${otaJobId}/executions?${params}`, signal);
    },
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: live ? LIVE_POLL_MS : false,
  });
}

export function useTargetThings(orgSlug: string, integrationId: string, q: string, enabled: boolean) {
  return useQuery({
    queryKey: otaKeys.targets(orgSlug, integrationId, q),
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ integrationId });
      if (q) params.set('q', q);
      return getJson<{ items: TargetThingDto[]; total: number }>(`${base(orgSlug)}/targets?${params}`, signal);
    },
    enabled: enabled && Boolean(integrationId),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}
