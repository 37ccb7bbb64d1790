import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  GuardedHttpAgent,
  GuardedHttpsAgent,
  OutboundAddressError,
  STRICT_POLICY,
  classifyAddress,
  guardedFetch,
  guardedLookup,
  isCustomEndpointAllowed,
  outboundPolicyFromEnv,
  parseHostAddress,
  type OutboundPolicy,
} from './outbound-guard';

const LOOPBACK_OK: OutboundPolicy = { ...STRICT_POLICY, allowLoopback: true, customEndpointHosts: null };
const PRIVATE_OK: OutboundPolicy = { ...STRICT_POLICY, allowPrivate: true, customEndpointHosts: null };

/** A resolver that answers from a table, as dns.lookup would (both the single and the `all` shape). */
function fakeResolver(table: Record<string, string[]>) {
  const calls: string[] = [];
  const resolve = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    const entries = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (options?.all) return callback(null, entries);
    callback(null, entries[0]!.address, entries[0]!.family);
  }) as unknown as Parameters<typeof guardedLookup>[1];
  return { resolve, calls };
}

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['52.94.236.248', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.254', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.1.1', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    // IPv4 inside IPv6: mapped, compatible, translated, NAT64 and 6to4
    ['::ffff:127.0.0.1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::808:808', 'public'],
    ['2002:c0a8:0101::1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each([
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0xa9.0376.43518', '169.254.169.254'],
    ['2852039166', '169.254.169.254'],
    ['0xA9FEA9FE', '169.254.169.254'],
    ['10.1', '10.0.0.1'],
  ])('reads %s as the OS does (%s)', (spelling, address) => {
    expect(parseHostAddress(spelling)?.toString()).toBe(address);
    expect(classifyAddress(spelling)).not.toBe('public');
  });

  it('treats DNS names as names', () => {
    expect(classifyAddress('localhost')).toBeNull();
    expect(classifyAddress('abc123-ats.iot.us-east-1.amazonaws.com')).toBeNull();
  });
});

describe('outboundPolicyFromEnv', () => {
  it('allows nothing but public addresses by default, and no custom endpoint in production', () => {
    expect(outboundPolicyFromEnv({ NODE_ENV: 'production' })).toEqual(STRICT_POLICY);
    expect(outboundPolicyFromEnv({ NODE_ENV: 'development' }).customEndpointHosts).toBeNull();
  });

  it('reads the loopback and private switches and the host list', () => {
    expect(
      outboundPolicyFromEnv({
        NODE_ENV: 'production',
        FLEETLINE_OUTBOUND_ALLOW_LOOPBACK: 'true',
        FLEETLINE_CUSTOM_ENDPOINT_HOSTS: ' 127.0.0.1, .VPCE.amazonaws.com ,localhost',
      }),
    ).toEqual({ allowLoopback: true, allowPrivate: false, customEndpointHosts: ['127.0.0.1', '.vpce.amazonaws.com', 'localhost'] });
  });

  it('names a bad variable', () => {
    expect(() => outboundPolicyFromEnv({ FLEETLINE_OUTBOUND_ALLOW_LOOPBACK: 'yes' })).toThrow(/FLEETLINE_OUTBOUND_ALLOW_LOOPBACK/);
    expect(() => outboundPolicyFromEnv({ FLEETLINE_CUSTOM_ENDPOINT_HOSTS: 'https://a.example.com' })).toThrow(/FLEETLINE_CUSTOM_ENDPOINT_HOSTS/);
  });
});

describe('isCustomEndpointAllowed', () => {
  const production: OutboundPolicy = { ...STRICT_POLICY, customEndpointHosts: ['127.0.0.1', '.vpce.amazonaws.com'] };

  it('refuses every custom endpoint in production without an allow-list', () => {
    expect(isCustomEndpointAllowed('https://vpce-1.iot.eu-west-1.vpce.amazonaws.com', STRICT_POLICY)).toBe(false);
  });

  it('allows listed hosts and subdomains of listed suffixes only', () => {
    expect(isCustomEndpointAllowed('https://vpce-1.iot.eu-west-1.vpce.amazonaws.com', production)).toBe(true);
    expect(isCustomEndpointAllowed('https://vpce.amazonaws.com', production)).toBe(false);
    expect(isCustomEndpointAllowed('https://evilvpce.amazonaws.com', production)).toBe(false);
    expect(isCustomEndpointAllowed('https://attacker.example', production)).toBe(false);
  });

  it('refuses listed IP literals the address policy refuses (loopback not allowed here)', () => {
    expect(isCustomEndpointAllowed('http://127.0.0.1:4566', production)).toBe(false);
    expect(isCustomEndpointAllowed('http://127.0.0.1:4566', { ...production, allowLoopback: true })).toBe(true);
  });

  it.each([
    'http://2130706433:4566',
    'http://0177.0.0.1:4566',
    'http://0x7f.1:4566',
    'http://127.1:4566',
    'http://[::1]:4566',
    'http://[::ffff:127.0.0.1]:4566',
    'http://169.254.169.254',
    'http://[::ffff:169.254.169.254]',
    'https://10.0.0.8',
    'https://100.64.1.1',
  ])('refuses %s outside production too', (endpoint) => {
    expect(isCustomEndpointAllowed(endpoint, { ...STRICT_POLICY, customEndpointHosts: null })).toBe(false);
  });

  it('never allows metadata, even where private networks are', () => {
    expect(isCustomEndpointAllowed('https://10.0.0.8', PRIVATE_OK)).toBe(true);
    expect(isCustomEndpointAllowed('http://169.254.169.254', PRIVATE_OK)).toBe(false);
    expect(isCustomEndpointAllowed('http://[fd00:ec2::254]', PRIVATE_OK)).toBe(false);
  });

  it('refuses credentials in the URL and other schemes', () => {
    expect(isCustomEndpointAllowed('https://user:pw@a.example.com', LOOPBACK_OK)).toBe(false);
    expect(isCustomEndpointAllowed('ftp://a.example.com', LOOPBACK_OK)).toBe(false);
  });
});

describe('guardedLookup', () => {
  const lookup = (policy: OutboundPolicy, table: Record<string, string[]>, hostname: string, all = true) =>
    new Promise<unknown>((resolve, reject) => {
      guardedLookup(policy, fakeResolver(table).resolve)(hostname, { all }, (error, address) => (error ? reject(error) : resolve(address)));
    });

  it('passes public answers through', async () => {
    await expect(lookup(STRICT_POLICY, { 'a.example.com': ['52.1.2.3'] }, 'a.example.com', false)).resolves.toBe('52.1.2.3');
  });

  it.each([['10.0.0.5'], ['127.0.0.1'], ['169.254.169.254'], ['::1'], ['::ffff:127.0.0.1'], ['fd00::1']])(
    'refuses a name that resolves to %s',
    async (address) => {
      await expect(lookup(STRICT_POLICY, { 'internal.example.com': [address] }, 'internal.example.com')).rejects.toThrow(OutboundAddressError);
    },
  );

  it('refuses when any one of several answers is not allowed (rebinding)', async () => {
    await expect(lookup(STRICT_POLICY, { 'mixed.example.com': ['52.1.2.3', '10.0.0.5'] }, 'mixed.example.com')).rejects.toThrow('This endpoint is not allowed.');
  });
});

describe('guarded agents and guardedFetch against a real server', () => {
  let server: http.Server;
  let base: string;
  let port: number;
  let hits: string[] = [];
  let connections = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url} auth=${req.headers.authorization ?? '-'}`);
      const redirect = /^\/redirect\/(\d{3})\?to=(.+)$/.exec(req.url ?? '');
      if (redirect) {
        res.writeHead(Number(redirect[1]), { location: decodeURIComponent(redirect[2]!) });
        return res.end();
      }
      if (req.url === '/loop') {
        res.writeHead(302, { location: '/loop' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`hello ${req.method}`);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    hits = [];
    connections = 0;
  });

  function get(url: string, agent: http.Agent): Promise<string> {
    return new Promise((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
  }

  it.each([`http://127.0.0.1:PORT/`, `http://[::ffff:127.0.0.1]:PORT/`, `http://2130706433:PORT/`, `http://localhost:PORT/`])(
    'refuses %s when loopback is not allowed, before any connection',
    async (template) => {
      const agent = new GuardedHttpAgent(STRICT_POLICY);
      const error = await get(template.replace('PORT', String(port)), agent).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutboundAddressError);
      expect((error as Error).message).toBe('This endpoint is not allowed.');
      expect(connections).toBe(0);
    },
  );

  it('connects when loopback is allowed', async () => {
    await expect(get(`${base}/`, new GuardedHttpAgent(LOOPBACK_OK))).resolves.toBe('hello GET');
    expect(connections).toBe(1);
  });

  it('refuses a DNS name that resolves to loopback, through the resolver it was given', async () => {
    const { resolve, calls } = fakeResolver({ 'looks-public.example.com': ['127.0.0.1'] });
    const error = await get(`http://looks-public.example.com:${port}/`, new GuardedHttpAgent(STRICT_POLICY, { resolve })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundAddressError);
    expect(calls).toEqual(['looks-public.example.com']);
    expect(connections).toBe(0);
  });

  it('refuses IP literals in the https agent too (Node skips lookup for them)', async () => {
    const error = await new Promise((resolve) => {
      https.get(`https://127.0.0.1:${port}/`, { agent: new GuardedHttpsAgent(STRICT_POLICY) }).on('error', resolve);
    });
    expect(error).toBeInstanceOf(OutboundAddressError);
    expect(connections).toBe(0);
  });

  it('refuses a DNS name resolving to loopback in the https agent (tls.connect uses the guarded lookup)', async () => {
    const { resolve, calls } = fakeResolver({ 'tls.example.com': ['::1', '127.0.0.1'] });
    const error = await new Promise((done) => {
      https.get(`https://tls.example.com:${port}/`, { agent: new GuardedHttpsAgent(STRICT_POLICY, { resolve }) }).on('error', done);
    });
    expect(error).toBeInstanceOf(OutboundAddressError);
    expect(calls).toEqual(['tls.example.com']);
    expect(connections).toBe(0);
  });

  it('guardedFetch returns the answer of an allowed address', async () => {
    const res = await guardedFetch(`${base}/hello`, {}, LOOPBACK_OK);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello GET');
  });

  it('guardedFetch refuses a loopback URL when loopback is not allowed', async () => {
    await expect(guardedFetch(`${base}/hello`, {}, STRICT_POLICY)).rejects.toThrow(OutboundAddressError);
    expect(connections).toBe(0);
  });

  it.each(['http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:a9fe:a9fe]/', 'http://0251.0376.0251.0376/', 'http://internal.example.com/'])(
    'guardedFetch refuses a redirect to %s',
    async (target) => {
      const { resolve } = fakeResolver({ 'internal.example.com': ['192.168.0.10'] });
      const policy = { ...LOOPBACK_OK };
      const error = await guardedFetch(`${base}/redirect/302?to=${encodeURIComponent(target)}`, { resolve }, policy).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutboundAddressError);
      expect(hits).toHaveLength(1);
    },
  );

  it('guardedFetch refuses a redirect to loopback from a public-looking first hop', async () => {
    // First hop resolves to loopback only because this test allows it; the second hop is a private literal.
    const { resolve } = fakeResolver({ 'hooks.example.com': ['127.0.0.1'] });
    const error = await guardedFetch(`http://hooks.example.com:${port}/redirect/307?to=${encodeURIComponent('http://192.168.1.1/')}`, { resolve }, LOOPBACK_OK).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundAddressError);
  });

  it('guardedFetch follows allowed redirects, turns 303 into GET and drops credentials across origins', async () => {
    const target = `http://localhost:${port}/final`;
    const res = await guardedFetch(`${base}/redirect/303?to=${encodeURIComponent(target)}`, { method: 'POST', body: 'x', headers: { authorization: 'Bearer s3cret' } }, LOOPBACK_OK);
    expect(await res.text()).toBe('hello GET');
    expect(hits).toEqual(['POST /redirect/303?to=' + encodeURIComponent(target) + ' auth=Bearer s3cret', 'GET /final auth=-']);
  });

  it('guardedFetch stops after the hop limit', async () => {
    await expect(guardedFetch(`${base}/loop`, { maxRedirects: 3 }, LOOPBACK_OK)).rejects.toThrow(OutboundAddressError);
    expect(hits).toHaveLength(4);
  });

  it('guardedFetch refuses non-http schemes', async () => {
    await expect(guardedFetch('file:///etc/passwd', {}, LOOPBACK_OK)).rejects.toThrow(OutboundAddressError);
  });
});
