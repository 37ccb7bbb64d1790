'use client';

import { useState } from 'react';

type Theme = 'system' | 'light' | 'dark';
const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<Theme, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };

/** Cycles system → light → dark; the choice lives in a cookie so the server renders it. */
export function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  function cycle() {
    const next = NEXT[theme];
    setTheme(next);
    const root = document.documentElement;
    root.classList.remove('light', 'dark');
    if (next !== 'system') root.classList.add(next);
    document.cookie = `theme=${next}; path=/; max-age=31536000; samesite=lax`;
  }
  return (
    <button type="button" onClick={cycle} className="rounded-md px-2 py-1 text-xs text-ink-muted hover:bg-surface-muted hover:text-ink">
      {LABEL[theme]}
    </button>
  );
}
