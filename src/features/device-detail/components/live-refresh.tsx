'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/**
 * While the device's integration has live data on, re-renders the page's server parts (status,
 * last seen, readings, alerts) every few seconds, so a disconnect shows without a reload. Paused
 * while the tab is hidden.
 */
export function LiveRefresh({ everyMs = 5_000 }: { everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh();
    }, everyMs);
    return () => clearInterval(timer);
  }, [router, everyMs]);
  return null;
}
