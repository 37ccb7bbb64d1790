'use client';

import { useQuery } from '@tanstack/react-query';
import type { BulkOperationReport } from '../queries';

export const bulkKeys = {
  all: ['bulk-operation'] as const,
  detail: (orgSlug: string, operationId: string) => ['bulk-operation', orgSlug, operationId] as const,
};

const POLL_MS = 1_000;

/** The operation's progress; polls while it is queued or running, then stops. */
export function useBulkOperation(orgSlug: string, operationId: string, initialData: BulkOperationReport) {
  return useQuery({
    queryKey: bulkKeys.detail(orgSlug, operationId),
    queryFn: async ({ signal }) => {
      const res = await fetch(`/api/orgs/${encodeURIComponent(orgSlug)}/bulk-actions/${encodeURIComponent(operationId)}`, { signal, cache: 'no-store' });
      if (!res.ok) throw new Error(res.status === 401 ? 'Your session has ended. Please sign in again.' : 'Could not load the progress.');
      return (await res.json()) as BulkOperationReport;
    },
    initialData,
    refetchInterval: (query) => (query.state.data?.status === 'queued' || query.state.data?.status === 'running' ? POLL_MS : false),
    refetchOnWindowFocus: false,
  });
}
