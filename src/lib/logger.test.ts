import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { signatureMismatch } from '../../scripts/test/aws-errors';
import { LOG_SERIALIZERS, REDACT_PATHS } from './logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: LOG_SERIALIZERS }, stream), lines };
}

describe('logger redaction', () => {
  it('blanks secrets and tokens at the top level and one level down', () => {
    const { log, lines } = capture();
    log.info(
      {
        password: 'hunter2-password',
        credentials: { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
        input: { secretAccessKey: 'another-secret-value', token: 'invite-token-value', email: 'ops@example.com' },
        headers: { cookie: 'sb-127-auth-token=base64-abc', authorization: 'Bearer eyJabc' },
      },
      'event',
    );
    const out = lines.join('');
    for (const secret of ['hunter2-password', 'wJalrXUtnFEMI', 'another-secret-value', 'invite-token-value', 'base64-abc', 'eyJabc']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('ops@example.com');
    expect(out).toContain('[redacted]');
  });
});

describe('logger error serializer', () => {
  it('logs an AWS SDK error as its sanitized name and message, without the canonical request or its stack', () => {
    const { log, lines } = capture();
    log.warn({ err: signatureMismatch() }, 'aws call failed');
    log.warn({ error: signatureMismatch() }, 'aws call failed');
    const out = lines.join('');
    expect(out).toContain('SignatureDoesNotMatch');
    for (const secret of ['IQoJb3JpZ2luX2VjEJr', 'e3b0c44298fc1c149afbf4c8996fb924', 'aws4_request', 'Canonical', 'at ']) expect(out).not.toContain(secret);
  });

  it('scrubs keys from the message and stack of other errors', () => {
    const { log, lines } = capture();
    log.error({ err: new Error('failed with AKIAIOSFODNN7EXAMPLE') }, 'boom');
    expect(lines.join('')).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});
