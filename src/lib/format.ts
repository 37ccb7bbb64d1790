/**
 * Display helpers shared by every feature. Relative times take the server's "now" as an ISO
 * string, so server rendering and hydration print the same text.
 */

export function relativeTime(iso: string | null, nowIso: string): string {
  if (!iso) return 'never';
  const seconds = Math.round((new Date(nowIso).getTime() - new Date(iso).getTime()) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const text = s < 45 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : s < 86_400 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} d`;
  if (s < 5) return 'just now';
  return future ? `in ${text}` : `${text} ago`;
}

/** Grouped thousands, English style (1,234). */
export const number = new Intl.NumberFormat('en');
