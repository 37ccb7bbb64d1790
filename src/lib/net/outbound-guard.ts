import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { outboundEnv } from '../env';

/**
 * The one outbound-address guard (design §8.2): every request to an address a tenant supplied is
 * checked when the socket is opened, after DNS resolution and on every redirect. Refusals carry
 * no detail about the target, so a tenant cannot map internal hosts or ports with it.
 */
export class OutboundAddressError extends Error {
  override name = 'OutboundAddressError';
  constructor() {
    super('This endpoint is not allowed.');
  }
}

export function isOutboundAddressError(error: unknown): error is OutboundAddressError {
  return error instanceof OutboundAddressError || (error as { name?: unknown } | null)?.name === 'OutboundAddressError';
}

export interface OutboundPolicy {
  /** 127.0.0.0/8 and ::1: the local stack and tests only. */
  allowLoopback: boolean;
  /** RFC 1918, CGNAT and IPv6 ULA (e.g. VPC endpoints); never link-local or metadata addresses. */
  allowPrivate: boolean;
  /** Hosts (`a.example.com`) or suffixes (`.example.com`) custom endpoints may use; null = any. */
  customEndpointHosts: readonly string[] | null;
}

/** Deny everything that is not public: the default when nothing is configured. */
export const STRICT_POLICY: OutboundPolicy = { allowLoopback: false, allowPrivate: false, customEndpointHosts: [] };

/** In production custom endpoints need the allow-list; elsewhere an unset list allows any host. */
export function outboundPolicyFromEnv(source: Record<string, string | undefined> = process.env): OutboundPolicy {
  const env = outboundEnv(source);
  return {
    allowLoopback: env.FLEETLINE_OUTBOUND_ALLOW_LOOPBACK,
    allowPrivate: env.FLEETLINE_OUTBOUND_ALLOW_PRIVATE,
    customEndpointHosts: env.FLEETLINE_CUSTOM_ENDPOINT_HOSTS ?? (env.NODE_ENV === 'production' ? [] : null),
  };
}

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'linkLocal'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

// Cloud instance-metadata services; refused even where private networks are allowed.
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254']);

const V4_CLASSES: Record<string, AddressClass> = {
  unicast: 'public',
  loopback: 'loopback',
  private: 'private',
  carrierGradeNat: 'private',
  linkLocal: 'linkLocal',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'reserved',
};

function classifyV4(address: ipaddr.IPv4): AddressClass {
  if (METADATA_ADDRESSES.has(address.toString())) return 'metadata';
  return V4_CLASSES[address.range()] ?? 'reserved';
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, translated, NAT64, 6to4), if any. */
function embeddedV4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const b = address.toByteArray();
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const tail = () => new ipaddr.IPv4(b.slice(12, 16));
  // ::a.b.c.d (compatible), ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated)
  if (zero(0, 10) && ((b[10] === 0 && b[11] === 0) || (b[10] === 0xff && b[11] === 0xff))) return zero(0, 12) && zero(12, 15) ? null : tail();
  if (zero(0, 8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) return tail();
  // 64:ff9b::/96 (NAT64 well-known prefix)
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return tail();
  // 2002:AABB:CCDD::/48 (6to4)
  if (b[0] === 0x20 && b[1] === 0x02) return new ipaddr.IPv4(b.slice(2, 6));
  return null;
}

function classifyV6(address: ipaddr.IPv6): AddressClass {
  const v4 = embeddedV4(address);
  if (v4) return classifyV4(v4);
  const plain = new ipaddr.IPv6(address.parts); // without a zone id
  if (METADATA_ADDRESSES.has(plain.toString())) return 'metadata';
  switch (plain.range() as string) {
    case 'loopback':
      return 'loopback';
    case 'unspecified':
      return 'unspecified';
    case 'linkLocal':
      return 'linkLocal';
    case 'multicast':
      return 'multicast';
    case 'uniqueLocal':
    case 'deprecatedSiteLocal':
      return 'private';
    case 'rfc6052': // 64:ff9b:1::/48, local-use NAT64
      return 'private';
    case 'unicast': {
      // Only 2000::/3 is global unicast; the rest of "unicast" is unassigned.
      const first = plain.parts[0]!;
      return first >= 0x2000 && first <= 0x3fff ? 'public' : 'reserved';
    }
    default: // teredo, documentation, benchmarking, orchid, discard, …
      return 'reserved';
  }
}

/**
 * Parses a host as the OS would read an address: dotted quads, but also `2130706433`,
 * `0177.0.0.1`, `0x7f.1` and `127.1` (inet_aton forms), and IPv6 with or without brackets.
 * Null means "a DNS name".
 */
export function parseHostAddress(host: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.') && !h.includes(':')) h = h.slice(0, -1);
  if (!ipaddr.isValid(h)) return null;
  try {
    return ipaddr.parse(h);
  } catch {
    return null;
  }
}

/** Classifies an IP address (any spelling parseHostAddress accepts); null for a DNS name. */
export function classifyAddress(host: string): AddressClass | null {
  const address = parseHostAddress(host);
  if (!address) return null;
  return address.kind() === 'ipv4' ? classifyV4(address as ipaddr.IPv4) : classifyV6(address as ipaddr.IPv6);
}

export function isAddressAllowed(host: string, policy: OutboundPolicy): boolean {
  const kind = classifyAddress(host);
  if (kind === null) return false; // not an address at all: callers resolve names first
  if (kind === 'public') return true;
  if (kind === 'loopback') return policy.allowLoopback;
  if (kind === 'private') return policy.allowPrivate;
  return false;
}

export function assertAddressAllowed(host: string, policy: OutboundPolicy): void {
  if (!isAddressAllowed(host, policy)) throw new OutboundAddressError();
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Whether a custom AWS endpoint's host is on the operator's allow-list (any host when there is none). */
export function isCustomEndpointAllowed(endpoint: string, policy: OutboundPolicy): boolean {
  const host = hostOf(endpoint);
  if (!host) return false;
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password) return false;
  // An IP literal is refused now, not only at connect time, so the user sees it at input.
  if (parseHostAddress(host) && !isAddressAllowed(host, policy)) return false;
  if (policy.customEndpointHosts === null) return true;
  const bare = host.replace(/\.$/, '');
  return policy.customEndpointHosts.some((entry) => (entry.startsWith('.') ? bare.endsWith(entry) && bare.length > entry.length : bare === entry));
}

export function assertCustomEndpointAllowed(endpoint: string, policy: OutboundPolicy): void {
  if (!isCustomEndpointAllowed(endpoint, policy)) throw new OutboundAddressError();
}

type LookupFunction = NonNullable<net.TcpNetConnectOpts['lookup']>;
type LookupCallback = Parameters<LookupFunction>[2];

/**
 * A `lookup` for net/tls that resolves as usual and refuses when ANY resolved address is not
 * allowed, so a name with one public and one private answer cannot be rebound to the private one.
 */
export function guardedLookup(policy: OutboundPolicy, resolve: LookupFunction = dns.lookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, ((error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => {
      if (error) return callback(error, address as string, family);
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      if (all.length === 0 || !all.every((a) => isAddressAllowed(a, policy))) {
        return callback(new OutboundAddressError() as unknown as NodeJS.ErrnoException, '', 4);
      }
      callback(null, address as string, family);
    }) as LookupCallback);
  };
}

type ConnectOptions = net.NetConnectOpts & { host?: string; lookup?: LookupFunction };
type CreateConnectionCallback = (error: Error | null, socket?: Duplex) => void;

/** Runs the checks on a connection about to be opened; returns false (after calling back) when refused. */
function guardConnection(options: ConnectOptions, policy: OutboundPolicy, resolve: LookupFunction | undefined, callback: CreateConnectionCallback): boolean {
  const host = options.host ?? 'localhost';
  // Node skips `lookup` for IP literals, and unix sockets have no address to check.
  if ('path' in options && options.path) {
    callback(new OutboundAddressError());
    return false;
  }
  if (parseHostAddress(host) !== null || net.isIP(host) !== 0) {
    if (!isAddressAllowed(host, policy)) {
      callback(new OutboundAddressError());
      return false;
    }
  }
  options.lookup = guardedLookup(policy, resolve);
  return true;
}

export interface GuardedAgentOptions extends https.AgentOptions {
  /** Injected by tests; defaults to dns.lookup. */
  resolve?: LookupFunction;
}

/** An http.Agent whose every new socket passes the guard. */
export class GuardedHttpAgent extends http.Agent {
  readonly #policy: OutboundPolicy;
  readonly #resolve: LookupFunction | undefined;
  constructor(policy: OutboundPolicy, { resolve, ...options }: GuardedAgentOptions = {}) {
    super(options);
    this.#policy = policy;
    this.#resolve = resolve;
  }
  override createConnection(options: ConnectOptions, callback: CreateConnectionCallback): Duplex | undefined {
    if (!guardConnection(options, this.#policy, this.#resolve, callback)) return undefined;
    return super.createConnection(options, callback) as Duplex;
  }
}

/** An https.Agent whose every new socket passes the guard (TLS to the checked address). */
export class GuardedHttpsAgent extends https.Agent {
  readonly #policy: OutboundPolicy;
  readonly #resolve: LookupFunction | undefined;
  constructor(policy: OutboundPolicy, { resolve, ...options }: GuardedAgentOptions = {}) {
    super(options);
    this.#policy = policy;
    this.#resolve = resolve;
  }
  override createConnection(options: ConnectOptions, callback: CreateConnectionCallback): Duplex | undefined {
    if (!guardConnection(options, this.#policy, this.#resolve, callback)) return undefined;
    return super.createConnection(options, callback) as Duplex;
  }
}

export interface GuardedFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** Redirects followed before giving up (each hop is checked again). */
  maxRedirects?: number;
  /** Injected by tests; defaults to dns.lookup. */
  resolve?: LookupFunction;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function requestOnce(url: URL, init: GuardedFetchInit, policy: OutboundPolicy): Promise<http.IncomingMessage> {
  const agentOptions = { keepAlive: false, resolve: init.resolve };
  const agent = url.protocol === 'https:' ? new GuardedHttpsAgent(policy, agentOptions) : new GuardedHttpAgent(policy, agentOptions);
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent, signal: init.signal }, resolve);
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * fetch for tenant-supplied URLs (webhooks): http(s) only, every connection through the guarded
 * agents, redirects followed by hand so each hop is checked, at most `maxRedirects` of them.
 */
export async function guardedFetch(input: string | URL, init: GuardedFetchInit = {}, policy: OutboundPolicy = outboundPolicyFromEnv()): Promise<Response> {
  const maxRedirects = init.maxRedirects ?? 5;
  let url = new URL(input);
  let current: GuardedFetchInit = { ...init };
  for (let hop = 0; ; hop++) {
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) throw new OutboundAddressError();
    const res = await requestOnce(url, current, policy);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (!REDIRECTS.has(status) || !location) {
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const nullBody = status === 204 || status === 304 || current.method === 'HEAD';
      if (nullBody) res.resume();
      return new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage, headers });
    }
    res.resume();
    if (hop >= maxRedirects) throw new OutboundAddressError();
    const next = new URL(location, url);
    // Per the fetch standard: 303 (and 301/302 after POST) become a GET without a body.
    const toGet = status === 303 || ((status === 301 || status === 302) && (current.method ?? 'GET').toUpperCase() === 'POST');
    const headers = { ...current.headers };
    if (next.origin !== url.origin) {
      for (const name of Object.keys(headers)) if (/^(authorization|cookie)$/i.test(name)) delete headers[name];
    }
    current = toGet ? { ...current, method: 'GET', body: undefined, headers } : { ...current, headers };
    url = next;
  }
}
