import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { brandIcons, brandThemeColor } from '../src/lib/brand';
import { brandColors, faviconSvg, oklchToHex, PUBLIC_DIR, webManifest } from './brand-assets';

const file = (name: string) => readFileSync(path.join(PUBLIC_DIR, name));

/** Width and height from a PNG's IHDR chunk. */
function pngSize(data: Buffer): { width: number; height: number } {
  expect(data.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

describe('public/ brand assets', () => {
  it('convert Tailwind palette colours exactly', () => {
    // Tailwind v4's published hex for sky-600 and slate-50.
    expect(oklchToHex('oklch(58.8% 0.158 241.966)')).toBe('#0084d1');
    expect(oklchToHex('oklch(98.4% 0.003 247.858)')).toBe('#f8fafc');
  });

  it('take the manifest colours from the theme tokens, and the layout agrees', () => {
    const manifest = JSON.parse(file('manifest.webmanifest').toString('utf8'));
    expect(manifest).toEqual(webManifest());
    expect(manifest).toMatchObject({ name: 'Fleetline', theme_color: brandColors.brand, background_color: brandColors.canvas });
    expect(brandThemeColor).toBe(brandColors.brand);
  });

  it('ship every icon the manifest and the layout name, at the size they claim', () => {
    for (const icon of webManifest().icons) {
      const data = file(icon.src.slice(1));
      if (icon.type === 'image/png') {
        const [w, h] = icon.sizes.split('x').map(Number);
        expect(pngSize(data), icon.src).toEqual({ width: w, height: h });
      }
    }
    expect(pngSize(file('apple-touch-icon.png'))).toEqual({ width: 180, height: 180 });
    const linked = [...brandIcons.icons.icon.map((i) => i.url), brandIcons.icons.apple.url, brandIcons.manifest];
    for (const url of linked) expect(existsSync(path.join(PUBLIC_DIR, url.slice(1))), url).toBe(true);
  });

  it('draw the favicon from the logo component’s geometry', () => {
    expect(file('icon.svg').toString('utf8')).toBe(faviconSvg());
    const ico = file('favicon.ico');
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const sizes = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico.readUInt8(6 + 16 * i));
    expect(sizes).toEqual([16, 32, 48]);
    const firstOffset = ico.readUInt32LE(6 + 12);
    expect(pngSize(ico.subarray(firstOffset))).toEqual({ width: 16, height: 16 });
  });

  it('keep crawlers out of everything but the sign-in page', () => {
    const robots = file('robots.txt').toString('utf8');
    expect(robots).toMatch(/^User-agent: \*$/m);
    expect(robots).toMatch(/^Disallow: \/$/m);
    expect(robots).not.toMatch(/^Allow: \/(?!login\$)/m);
  });
});
