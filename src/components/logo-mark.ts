/**
 * The Fleetline mark (one hub, two devices) as plain geometry, so the React logo and the icon
 * files in public/ (drawn by scripts/brand-assets.ts) are the same drawing.
 */
export const logoMark = {
  viewBox: '0 0 24 24',
  strokeWidth: 2,
  circles: [
    { cx: 5, cy: 12, r: 2.5 },
    { cx: 19, cy: 6, r: 2.5 },
    { cx: 19, cy: 18, r: 2.5 },
  ],
  path: 'M7.3 11l9.4-4M7.3 13l9.4 4',
} as const;
