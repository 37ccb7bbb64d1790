import { describe, expect, it, vi } from 'vitest';
import nextConfig from '../../next.config';
import { securityHeaders } from './security-headers';

const hsts = (headers: { key: string; value: string }[]) => headers.find((h) => h.key === 'Strict-Transport-Security');

describe('security headers', () => {
  it('send HSTS for two years with subdomains in production only', () => {
    expect(hsts(securityHeaders(true))?.value).toBe('max-age=63072000; includeSubDomains');
    expect(hsts(securityHeaders(false))).toBeUndefined();
  });

  it('are applied by next.config to every path, HSTS only when building for production', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const production = await nextConfig.headers!();
    vi.stubEnv('NODE_ENV', 'development');
    const development = await nextConfig.headers!();
    vi.unstubAllEnvs();
    expect(production.map((r) => r.source)).toEqual(['/:path*']);
    expect(hsts(production[0]!.headers)?.value).toBe('max-age=63072000; includeSubDomains');
    expect(hsts(development[0]!.headers)).toBeUndefined();
    expect(development[0]!.headers).toContainEqual({ key: 'X-Frame-Options', value: 'DENY' });
  });
});
