import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';

export interface ParsedAuthorization {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

/** Returns null when the header is absent or not a SigV4 header the SDK would produce. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  if (!header) return null;
  const m = AUTH_PATTERN.exec(header.trim());
  if (!m) return null;
  const [, accessKeyId, scopeDate, region, service, signedHeaders, signature] = m;
  if (!accessKeyId || !scopeDate || !region || !service || !signedHeaders || !signature) return null;
  return { accessKeyId, scopeDate, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** node:crypto behind the Checksum interface; the default pure-JS hash would cap throughput. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }
  private create(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.create();
  }
}

export function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Splits a raw query string without URLSearchParams, which would turn '+' into a space. */
export function parseRawQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

export function parseAmzDate(value: string | undefined): Date | null {
  const m = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) ? null : d;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

interface VerifyInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  auth: ParsedAuthorization;
  secretAccessKey: string;
  sessionToken?: string;
}

const signers = new Map<string, SignatureV4>();

function signerFor(accessKeyId: string, secretAccessKey: string, sessionToken?: string): SignatureV4 {
  const key = `${accessKeyId}\n${secretAccessKey}\n${sessionToken ?? ''}`;
  let signer = signers.get(key);
  if (!signer) {
    if (signers.size > 2000) signers.clear();
    signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey, sessionToken },
      region: 'us-east-1',
      service: 'iot',
      sha256: NodeSha256,
      // Only sign what the client signed: the signer must not add x-amz-content-sha256 itself.
      applyChecksum: false,
    });
    signers.set(key, signer);
  }
  return signer;
}

/**
 * Recomputes the signature with @smithy/signature-v4 over exactly the headers the client signed,
 * so any change to method, path, query, signed headers or body makes it differ.
 */
export async function verifySignature(input: VerifyInput): Promise<VerifyResult> {
  const { auth, headers } = input;
  const amzDate = typeof headers['x-amz-date'] === 'string' ? headers['x-amz-date'] : undefined;
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) return { ok: false, reason: 'Missing or malformed X-Amz-Date header.' };
  if (amzDate?.slice(0, 8) !== auth.scopeDate) {
    return { ok: false, reason: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.' };
  }
  const skew = Math.abs(Date.now() - signingDate.getTime());
  if (skew > 15 * 60_000) {
    return { ok: false, reason: `Signature expired: ${amzDate} is now earlier or later than 15 minutes from the server time.` };
  }
  for (const required of ['host', 'x-amz-date']) {
    if (!auth.signedHeaders.includes(required)) return { ok: false, reason: `'${required}' must be a signed header.` };
  }
  const declaredHash = headers['x-amz-content-sha256'];
  if (typeof declaredHash === 'string' && declaredHash !== sha256Hex(input.body)) {
    return { ok: false, reason: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  }

  const signedHeaderValues: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = headers[name];
    if (value === undefined) return { ok: false, reason: `Signed header '${name}' is missing from the request.` };
    signedHeaderValues[name] = Array.isArray(value) ? value.join(',') : value;
  }
  let query: Record<string, string | string[]>;
  try {
    query = parseRawQuery(input.rawQuery);
  } catch {
    return { ok: false, reason: 'Malformed query string.' };
  }
  const signer = signerFor(auth.accessKeyId, input.secretAccessKey, input.sessionToken);
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: 'http:',
      hostname: 'localhost',
      path: input.rawPath,
      query,
      headers: signedHeaderValues,
      body: input.body,
    },
    {
      signingDate,
      signingRegion: auth.region,
      signingService: auth.service,
      signableHeaders: new Set(auth.signedHeaders),
    },
  );
  const header = String(signed.headers['authorization'] ?? '');
  const expected = /Signature=([0-9a-f]{64})$/.exec(header)?.[1] ?? '';
  const expectedHeaders = /SignedHeaders=([^,]+),/.exec(header)?.[1] ?? '';
  const same =
    expected.length === auth.signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature)) &&
    expectedHeaders === auth.signedHeaders.join(';');
  return same
    ? { ok: true }
    : {
        ok: false,
        reason:
          'The request signature we calculated does not match the signature you provided. ' +
          'Check your AWS Secret Access Key and signing method.',
      };
}
