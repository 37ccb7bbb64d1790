'use client';

import { useQuery } from '@tanstack/react-query';
import type { SyncStatusDto } from '../queries';

export const syncKeys = {
  all: ['sync'] as const,
  status: (orgSlug: string, integrationId?: string) => ['sync', orgSlug, integrationId ?? 'all'] as const,
};

/** Polls fast while a sync runs (for a live progress bar), slowly otherwise. */
const FAST_MS = 1_000;
const SLOW_MS = 10_000;

export class SyncStatusError extends Error {
  constructor(readonly status: number) {
    super(status === 401 ? 'Your session has ended. Please sign in again.' : 'Could not load the sync status.');
  }
}

export function useSyncStatus(orgSlug: string, options: { integrationId?: string; initialData?: SyncStatusDto } = {}) {
  return useQuery({
    queryKey: syncKeys.status(orgSlug, options.integrationId),
    queryFn: async ({ signal }) => {
      const query = options.integrationId ? `?integrationId=${encodeURIComponent(options.integrationId)}` : '';
      const res = await fetch(`/api/orgs/${encodeURIComponent(orgSlug)}/sync${query}`, { signal, cache: 'no-store' });
      if (!res.ok) throw new SyncStatusError(res.status);
      return (await res.json()) as SyncStatusDto;
    },
    initialData: options.initialData,
    refetchInterval: (query) => (query.state.data?.integrations.some((i) => i.current) ? FAST_MS : SLOW_MS),
    refetchOnWindowFocus: true,
  });
}
