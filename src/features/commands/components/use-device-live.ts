'use client';

import { useQuery } from '@tanstack/react-query';
import type { DeviceLiveDto } from '../queries';
import type { RefreshResult } from '../refresh';

export type DeviceLiveResponse = DeviceLiveDto & { refresh: RefreshResult | null };

export const commandKeys = {
  all: ['device-live'] as const,
  live: (orgSlug: string, deviceId: string) => ['device-live', orgSlug, deviceId] as const,
};

export function deviceLiveUrl(orgSlug: string, deviceId: string): string {
  return `/api/orgs/${encodeURIComponent(orgSlug)}/devices/${encodeURIComponent(deviceId)}/live`;
}

/** While a command is open; the server refreshes one device at most every few seconds. */
export const OPEN_COMMAND_POLL_MS = 1_500;

export class DeviceLiveError extends Error {
  constructor(readonly status: number) {
    super(status === 401 ? 'Your session has ended. Please sign in again.' : 'Could not load the device’s shadow.');
  }
}

/**
 * The device's shadows and commands. Polls only while a command is open; operators poll with a
 * refresh from AWS (POST), viewers read what the syncs cached (GET).
 */
export function useDeviceLive(orgSlug: string, deviceId: string, options: { canRefresh: boolean; initialData: DeviceLiveResponse }) {
  return useQuery({
    queryKey: commandKeys.live(orgSlug, deviceId),
    queryFn: async ({ signal }) => {
      const res = await fetch(deviceLiveUrl(orgSlug, deviceId), { method: options.canRefresh ? 'POST' : 'GET', signal, cache: 'no-store' });
      if (!res.ok) throw new DeviceLiveError(res.status);
      return (await res.json()) as DeviceLiveResponse;
    },
    initialData: options.initialData,
    refetchInterval: (query) => ((query.state.data?.openCommands ?? 0) > 0 ? OPEN_COMMAND_POLL_MS : false),
    refetchOnWindowFocus: false,
  });
}
