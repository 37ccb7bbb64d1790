import type { Config } from 'tailwindcss';

/**
 * Theme tokens. Semantic colours (ink, surface, line, canvas) are CSS variables defined in
 * src/app/globals.css so light and dark themes swap them in one place.
 */
const scale = (name: string) =>
  Object.fromEntries([50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950].map((step) => [step, `var(--color-${name}-${step})`]));

export default {
  content: ['./src/**/*.{ts,tsx}'],
  theme: {
    extend: {
      colors: {
        brand: scale('sky'),
        success: scale('emerald'),
        warning: scale('amber'),
        danger: scale('rose'),
        ink: { DEFAULT: 'var(--fl-ink)', muted: 'var(--fl-ink-muted)', faint: 'var(--fl-ink-faint)' },
        surface: { DEFAULT: 'var(--fl-surface)', muted: 'var(--fl-surface-muted)' },
        canvas: 'var(--fl-canvas)',
        line: 'var(--fl-line)',
      },
      fontFamily: {
        sans: ['ui-sans-serif', 'system-ui', '-apple-system', 'Segoe UI', 'Roboto', 'Helvetica Neue', 'Arial', 'sans-serif'],
        mono: ['ui-monospace', 'SFMono-Regular', 'Menlo', 'Consolas', 'monospace'],
      },
    },
  },
} satisfies Config;
