'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { alertBellKey } from '@/components/shell/alert-bell';
import { markAlertsReadAction } from '../actions';

/** Opening the alerts page marks the bell read (a write, so from the browser, not during render). */
export function MarkAlertsRead({ orgSlug }: { orgSlug: string }) {
  const queryClient = useQueryClient();
  useEffect(() => {
    let live = true;
    void markAlertsReadAction(orgSlug, {}).then((result) => {
      if (live && result.ok) void queryClient.invalidateQueries({ queryKey: alertBellKey(orgSlug) });
    });
    return () => {
      live = false;
    };
  }, [orgSlug, queryClient]);
  return null;
}
