import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The client address for per-IP limits, taken only from the header a trusted proxy sets. Next's
 * server fills `x-forwarded-for` with the socket address only when the client sent none, so
 * without a proxy that overwrites or appends to it every header is the client's own word.
 */
export interface TrustedProxyConfig {
  /** Lower-cased header name, or null: trust no header (all clients share one per-IP bucket). */
  header: string | null;
  /** For `x-forwarded-for`: how many proxies append to it; the client is that many entries from the right. */
  hops: number;
}

const proxyEnvSchema = z.object({
  FLEETLINE_TRUSTED_PROXY_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, { message: 'must be a header name such as x-forwarded-for, x-real-ip or cf-connecting-ip' })
    .transform((value) => value.toLowerCase())
    .optional()
    .or(z.literal('').transform(() => undefined)),
  FLEETLINE_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
});

export function trustedProxyConfig(env: Record<string, string | undefined> = process.env): TrustedProxyConfig {
  const parsed = proxyEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid environment configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  return { header: parsed.data.FLEETLINE_TRUSTED_PROXY_HEADER ?? null, hops: parsed.data.FLEETLINE_TRUSTED_PROXY_HOPS };
}

/** The key used when no trusted header is configured or it holds no valid address. */
export const UNKNOWN_CLIENT = 'unknown';

/** `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443` → the bare address, or null. */
function bareAddress(raw: string): string | null {
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  return isIP(value) ? value : null;
}

/** Eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail becomes two groups). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const v4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4Tail) {
    const [a, b, c, d] = v4Tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => parseInt(group, 16));
}

/**
 * One key per client: an IPv4 address, or the /64 of an IPv6 one (a single subscriber usually
 * holds a whole /64, so counting full addresses would be trivial to sidestep).
 */
export function normalizeClientAddress(address: string): string {
  if (isIP(address) === 4) return address;
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The trusted client address from request headers, or null when none can be trusted. */
export function clientIp(headers: Pick<Headers, 'get'>, config: TrustedProxyConfig): string | null {
  if (!config.header) return null;
  const value = headers.get(config.header);
  if (!value) return null;
  if (config.header !== 'x-forwarded-for') return bareAddress(value);
  // Entries left of the trusted proxies' own are whatever the client sent: never read them.
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length < config.hops) return null;
  return bareAddress(entries[entries.length - config.hops]!);
}

/** The per-IP rate-limit subject of a request: its normalised trusted address, or UNKNOWN_CLIENT. */
export function clientKey(headers: Pick<Headers, 'get'>, config: TrustedProxyConfig): string {
  const ip = clientIp(headers, config);
  return ip ? normalizeClientAddress(ip) : UNKNOWN_CLIENT;
}
