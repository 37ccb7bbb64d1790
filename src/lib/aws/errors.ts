/**
 * The one way an AWS error becomes text a user, a viewer, a stored run or a log may hold: the error
 * name and a short message with anything signature-like removed. AWS puts the canonical request and
 * the string-to-sign into SignatureDoesNotMatch messages, and custom endpoints may echo anything.
 */
export interface SafeAwsError {
  name: string;
  message: string;
  status?: number;
}

const MAX_MESSAGE = 300;
const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;

// Everything from one of these on is signing material (canonical request, string-to-sign, headers).
const CUT_MARKERS = [
  /the canonical string for this request/i,
  /canonical request/i,
  /string[- ]to[- ]sign/i,
  /aws4-hmac-sha256/i,
  /signed ?headers/i,
];

const REDACTIONS: [RegExp, string | ((match: string) => string)][] = [
  // Authorization / Credential / X-Amz-Signature / X-Amz-Security-Token / X-Amz-Credential and the like, as header or query values.
  [/\b(authorization|x-amz-security-token|x-amz-signature|x-amz-credential|x-amz-date|credential|signature|security-token|session-token|token|secret[a-z_-]*|password)\b\s*[:=]\s*("[^"]*"|'[^']*'|[^\s,;&]+)/gi, '$1=[redacted]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]'],
  // Access key ids (long-term AKIA, temporary ASIA, and the other documented prefixes).
  [/\b(AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{12,}\b/g, '[redacted-key]'],
  // Hex digests (signatures) and long base64-ish runs (secret keys, session tokens, JWTs).
  [/\b[0-9a-f]{32,}\b/gi, '[redacted]'],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[redacted]'],
  // Mixed-case letters and digits without word separators: a secret key or token, not a thing name.
  [/[A-Za-z0-9+/=]{32,}/g, (m) => (/[A-Z]/.test(m) && /[a-z]/.test(m) && /[0-9]/.test(m) ? '[redacted]' : m)],
];

/** Removes secret-looking material from free text (also used by the logger for non-AWS errors). */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of REDACTIONS) {
    out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out;
}

function shortSafeMessage(raw: string): string {
  let text = raw;
  for (const marker of CUT_MARKERS) {
    const at = text.search(marker);
    if (at >= 0) text = text.slice(0, at);
  }
  // A blank line starts the details AWS appends (the canonical request among them).
  const paragraph = text.search(/\r?\n\s*\r?\n/);
  if (paragraph >= 0) text = text.slice(0, paragraph);
  text = scrubSecrets(text.replace(/[\u0000-\u001f\u007f]+/g, ' ')).replace(/\s+/g, ' ').trim();
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

export function isAwsSdkError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ('$metadata' in error || '$fault' in error);
}

export function sanitizeAwsError(error: unknown): SafeAwsError {
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } };
    const name = typeof e.name === 'string' && SAFE_NAME.test(e.name) ? e.name : 'Error';
    const message = shortSafeMessage(typeof e.message === 'string' ? e.message : '');
    const status = e.$metadata?.httpStatusCode;
    return { name, message, ...(typeof status === 'number' ? { status } : {}) };
  }
  return { name: 'Error', message: shortSafeMessage(String(error)) };
}
