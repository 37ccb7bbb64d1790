import { unstable_doesMiddlewareMatch } from 'next/experimental/testing/server';
import { describe, expect, it } from 'vitest';
import { config } from './proxy';

const runsProxy = (url: string) => unstable_doesMiddlewareMatch({ config, url });

describe('proxy matcher', () => {
  // The proxy's signed-out redirect would send these to /login; crawlers and browsers need them as files.
  it.each(['/robots.txt', '/manifest.webmanifest', '/favicon.ico', '/icon.svg', '/icon-192.png', '/icon-512.png', '/icon-maskable-512.png', '/apple-touch-icon.png'])(
    'leaves the public file %s alone',
    (url) => {
      expect(runsProxy(url)).toBe(false);
    },
  );

  it('leaves the live-data ingest alone (no session, no redirect to /login for the rules engine)', () => {
    expect(runsProxy('/api/ingest/v1/6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60')).toBe(false);
  });

  // Pages still get the session refresh, CSP nonce and redirect, including slugs that resemble those files.
  it.each(['/', '/login', '/acme', '/acme/devices', '/robots-txt', '/robots-txt/devices', '/favicon-ico/devices', '/manifest-webmanifest', '/api/health'])(
    'runs for %s',
    (url) => {
      expect(runsProxy(url)).toBe(true);
    },
  );
});
