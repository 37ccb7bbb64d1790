'use client';

import { useQuery } from '@tanstack/react-query';
import type { FleetOverview } from '../model';

export const overviewKeys = {
  all: ['overview'] as const,
  detail: (orgSlug: string) => ['overview', orgSlug] as const,
};

/** Aggregates change only when a sync writes; the overview refetches after each sync and at most once a minute otherwise. */
const REFRESH_MS = 60_000;

export class OverviewError extends Error {
  constructor(readonly status: number) {
    super(status === 401 ? 'Your session has ended. Please sign in again.' : 'Could not refresh the overview.');
  }
}

export function useFleetOverview(orgSlug: string, initialData: FleetOverview) {
  return useQuery({
    queryKey: overviewKeys.detail(orgSlug),
    queryFn: async ({ signal }) => {
      const res = await fetch(`/api/orgs/${encodeURIComponent(orgSlug)}/overview`, { signal, cache: 'no-store' });
      if (!res.ok) throw new OverviewError(res.status);
      return (await res.json()) as FleetOverview;
    },
    initialData,
    staleTime: 30_000,
    refetchInterval: REFRESH_MS,
    refetchOnWindowFocus: true,
  });
}
