import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS } from './logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream), lines };
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
