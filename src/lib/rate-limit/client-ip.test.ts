import { describe, expect, it } from 'vitest';
import { clientIp, clientKey, normalizeClientAddress, trustedProxyConfig, UNKNOWN_CLIENT } from './client-ip';

const h = (init: Record<string, string>) => new Headers(init);
const none = { header: null, hops: 1 };
const xff = (hops: number) => ({ header: 'x-forwarded-for', hops });

describe('clientIp', () => {
  it('trusts no header when none is configured, however plausible the client-sent ones look', () => {
    const spoofed = h({ 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.8', 'cf-connecting-ip': '203.0.113.9' });
    expect(clientIp(spoofed, none)).toBeNull();
    expect(clientKey(spoofed, none)).toBe(UNKNOWN_CLIENT);
  });

  it('ignores other headers than the configured one', () => {
    expect(clientIp(h({ 'x-forwarded-for': '203.0.113.7' }), { header: 'cf-connecting-ip', hops: 1 })).toBeNull();
    expect(clientIp(h({ 'cf-connecting-ip': '198.51.100.4', 'x-forwarded-for': '203.0.113.7' }), { header: 'cf-connecting-ip', hops: 1 })).toBe('198.51.100.4');
  });

  it('takes the entry the trusted proxies appended, never a client-supplied one to its left', () => {
    const chain = h({ 'x-forwarded-for': '6.6.6.6, 198.51.100.4, 10.0.0.2' });
    expect(clientIp(chain, xff(1))).toBe('10.0.0.2');
    expect(clientIp(chain, xff(2))).toBe('198.51.100.4');
    expect(clientIp(h({ 'x-forwarded-for': '6.6.6.6,198.51.100.4' }), xff(1))).toBe('198.51.100.4');
  });

  it('refuses a chain shorter than the configured hops (the request did not pass every proxy)', () => {
    expect(clientIp(h({ 'x-forwarded-for': '198.51.100.4' }), xff(2))).toBeNull();
  });

  it('accepts ports and brackets but nothing that is not an address', () => {
    expect(clientIp(h({ 'x-real-ip': '198.51.100.4:5123' }), { header: 'x-real-ip', hops: 1 })).toBe('198.51.100.4');
    expect(clientIp(h({ 'x-real-ip': '[2001:db8::1]:443' }), { header: 'x-real-ip', hops: 1 })).toBe('2001:db8::1');
    expect(clientIp(h({ 'x-real-ip': 'evil.test' }), { header: 'x-real-ip', hops: 1 })).toBeNull();
    expect(clientIp(h({ 'x-forwarded-for': '198.51.100.4, unknown' }), xff(1))).toBeNull();
    expect(clientKey(h({ 'x-real-ip': '1.2.3.4, 5.6.7.8' }), { header: 'x-real-ip', hops: 1 })).toBe(UNKNOWN_CLIENT);
  });
});

describe('normalizeClientAddress', () => {
  it('keys IPv6 clients by their /64 and unwraps IPv4-mapped addresses', () => {
    expect(normalizeClientAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(normalizeClientAddress('2001:DB8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(normalizeClientAddress('::1')).toBe('0:0:0:0::/64');
    expect(normalizeClientAddress('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(normalizeClientAddress('198.51.100.4')).toBe('198.51.100.4');
  });
});

describe('trustedProxyConfig', () => {
  it('reads the header (lower-cased) and hops, and names a bad variable', () => {
    expect(trustedProxyConfig({})).toEqual({ header: null, hops: 1 });
    expect(trustedProxyConfig({ FLEETLINE_TRUSTED_PROXY_HEADER: 'X-Forwarded-For', FLEETLINE_TRUSTED_PROXY_HOPS: '2' })).toEqual({ header: 'x-forwarded-for', hops: 2 });
    expect(() => trustedProxyConfig({ FLEETLINE_TRUSTED_PROXY_HEADER: 'x forwarded' })).toThrow(/FLEETLINE_TRUSTED_PROXY_HEADER/);
    expect(() => trustedProxyConfig({ FLEETLINE_TRUSTED_PROXY_HOPS: '0' })).toThrow(/FLEETLINE_TRUSTED_PROXY_HOPS/);
  });
});
