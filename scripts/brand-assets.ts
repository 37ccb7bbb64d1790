/**
 * Draws the icon files in public/ from the logo's geometry (src/components/logo-mark.ts) and the
 * theme tokens (tailwind.config.ts → Tailwind's palette), so they never drift from the app.
 * Run after changing either: `npx tsx scripts/brand-assets.ts` (needs Chromium, as the e2e tests do).
 * The PNG/ICO output is committed; scripts/brand-assets.test.ts checks it still matches.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import tailwindConfig from '../tailwind.config';
import { logoMark } from '../src/components/logo-mark';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PUBLIC_DIR = path.join(ROOT, 'public');

/** CSS `oklch(L% C H)` (Tailwind v4's palette) as `#rrggbb`, through OKLab to sRGB. */
export function oklchToHex(css: string): string {
  const m = /^oklch\(\s*([\d.]+)%\s+([\d.]+)\s+([\d.]+)\s*\)$/.exec(css.trim());
  if (!m) throw new Error(`not an oklch() colour: ${css}`);
  const [L, C, h] = [Number(m[1]) / 100, Number(m[2]), (Number(m[3]) * Math.PI) / 180];
  const [a, b] = [C * Math.cos(h), C * Math.sin(h)];
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const mm = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const linear = [
    4.0767416621 * l - 3.3077115913 * mm + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * mm - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * mm + 1.707614701 * s,
  ];
  return `#${linear
    .map((x) => {
      const v = x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055;
      return Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, '0');
    })
    .join('')}`;
}

/** Resolves a token value like `var(--color-sky-600)` through globals.css (light theme) and Tailwind's palette. */
export function tokenHex(value: string): string {
  const sources = [readFileSync(path.join(ROOT, 'src/app/globals.css'), 'utf8'), readFileSync(path.join(ROOT, 'node_modules/tailwindcss/theme.css'), 'utf8')];
  let current = value.trim();
  for (let depth = 0; depth < 5; depth++) {
    const ref = /^var\((--[\w-]+)\)$/.exec(current);
    if (!ref) break;
    const name = ref[1]!.replace(/[-]/g, '\\-');
    const found = sources.map((css) => new RegExp(`${name}:\\s*([^;]+);`).exec(css)?.[1]).find(Boolean);
    if (!found) throw new Error(`token ${ref[1]} not found`);
    current = found.trim();
  }
  if (/^#[0-9a-f]{3}$/i.test(current)) return `#${[...current.slice(1)].map((c) => c + c).join('')}`.toLowerCase();
  if (/^#[0-9a-f]{6}$/i.test(current)) return current.toLowerCase();
  return oklchToHex(current);
}

const colors = tailwindConfig.theme.extend.colors;
const step = (scale: Record<string, string>, n: number) => {
  const value = scale[n];
  if (!value) throw new Error(`no colour step ${n}`);
  return value;
};
export const brandColors = {
  brand: tokenHex(step(colors.brand, 600)),
  brandOnDark: tokenHex(step(colors.brand, 400)),
  canvas: tokenHex(colors.canvas),
  surface: tokenHex(colors.surface.DEFAULT),
};

function markElements(stroke: string): string {
  const circles = logoMark.circles.map((c) => `<circle cx="${c.cx}" cy="${c.cy}" r="${c.r}"/>`).join('');
  return `<g fill="none" stroke="${stroke}" stroke-width="${logoMark.strokeWidth}">${circles}<path d="${logoMark.path}"/></g>`;
}

/** The favicon: the bare mark, lighter on dark browser chrome. */
export function faviconSvg(): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${logoMark.viewBox}">`,
    `<style>g{stroke:${brandColors.brand}}@media (prefers-color-scheme:dark){g{stroke:${brandColors.brandOnDark}}}</style>`,
    markElements(brandColors.brand),
    '</svg>',
    '',
  ].join('\n');
}

/**
 * An app icon: the mark on an opaque tile. `inset` is the share of the tile the mark may use
 * (maskable icons keep it inside the 80% safe zone; Apple rounds the corners itself).
 */
export function tileSvg(options: { background: string; stroke: string; inset: number; radius: number }): string {
  const scale = options.inset;
  const offset = (24 * (1 - scale)) / 2;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">`,
    `<rect width="24" height="24" rx="${options.radius}" fill="${options.background}"/>`,
    `<g transform="translate(${offset} ${offset}) scale(${scale})">${markElements(options.stroke)}</g>`,
    '</svg>',
  ].join('');
}

export const icons = {
  standard: tileSvg({ background: brandColors.surface, stroke: brandColors.brand, inset: 0.75, radius: 5 }),
  maskable: tileSvg({ background: brandColors.brand, stroke: brandColors.surface, inset: 0.6, radius: 0 }),
  apple: tileSvg({ background: brandColors.surface, stroke: brandColors.brand, inset: 0.7, radius: 0 }),
};

export function webManifest() {
  return {
    name: 'Fleetline',
    short_name: 'Fleetline',
    description: 'The operator console for AWS IoT fleets.',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    theme_color: brandColors.brand,
    background_color: brandColors.canvas,
    icons: [
      { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  };
}

/** An ICO file holding PNG images (every browser since IE Vista-era reads PNG-in-ICO). */
export function icoFromPngs(pngs: { size: number; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  let offset = 6 + 16 * pngs.length;
  const entries = pngs.map(({ size, data }) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(data.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += data.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...pngs.map((p) => p.data)]);
}

function renderPng(svg: string, size: number, dir: string): Buffer {
  const html = path.join(dir, `icon-${size}.html`);
  const out = path.join(dir, `icon-${size}.png`);
  writeFileSync(
    html,
    `<!doctype html><html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" style="display:block" `)}</body></html>`,
  );
  execFileSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1',
    '--default-background-color=00000000', `--window-size=${size},${size}`, `--screenshot=${out}`, pathToFileURL(html).href,
  ], { stdio: 'ignore' });
  return readFileSync(out);
}

function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetline-icons-'));
  try {
    const favicon = faviconSvg();
    writeFileSync(path.join(PUBLIC_DIR, 'icon.svg'), favicon);
    writeFileSync(path.join(PUBLIC_DIR, 'icon-192.png'), renderPng(icons.standard, 192, dir));
    writeFileSync(path.join(PUBLIC_DIR, 'icon-512.png'), renderPng(icons.standard, 512, dir));
    writeFileSync(path.join(PUBLIC_DIR, 'icon-maskable-512.png'), renderPng(icons.maskable, 512, dir));
    writeFileSync(path.join(PUBLIC_DIR, 'apple-touch-icon.png'), renderPng(icons.apple, 180, dir));
    const small = [16, 32, 48].map((size) => ({ size, data: renderPng(favicon, size, dir) }));
    writeFileSync(path.join(PUBLIC_DIR, 'favicon.ico'), icoFromPngs(small));
    writeFileSync(path.join(PUBLIC_DIR, 'manifest.webmanifest'), `${JSON.stringify(webManifest(), null, 2)}\n`);
    console.log(`icons written to ${path.relative(ROOT, PUBLIC_DIR)}/ (theme ${brandColors.brand}, canvas ${brandColors.canvas})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
