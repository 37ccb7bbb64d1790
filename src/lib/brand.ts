import type { Metadata } from 'next';

/** The tab, home-screen and install icons in public/ (drawn by scripts/brand-assets.ts). */
export const brandIcons = {
  icons: {
    icon: [
      { url: '/favicon.ico', sizes: '16x16 32x32 48x48' },
      { url: '/icon.svg', type: 'image/svg+xml' },
    ],
    apple: { url: '/apple-touch-icon.png', sizes: '180x180' },
  },
  manifest: '/manifest.webmanifest',
} satisfies Metadata;

/** brand-600 (tailwind.config.ts), as in the web manifest; scripts/brand-assets.test.ts keeps them equal. */
export const brandThemeColor = '#0084d1';
