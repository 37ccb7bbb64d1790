'use client';

import { useSyncExternalStore } from 'react';

const utc = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });
const local = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });
const noop = () => () => {};

/**
 * An absolute time in the reader's time zone. The server does not know it, so the first render
 * (server and hydration) says UTC and the browser switches to local time right after.
 */
export function LocalTime({ iso, className }: { iso: string; className?: string }) {
  const inBrowser = useSyncExternalStore(noop, () => true, () => false);
  const date = new Date(iso);
  return (
    <time dateTime={iso} className={className}>
      {inBrowser ? local.format(date) : `${utc.format(date)} UTC`}
    </time>
  );
}
