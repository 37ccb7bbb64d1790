import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { limitRoute, RateLimits, type RateLimitStore } from './index';

/** What the limiter does when its store fails: availability for most limits, refusal for sign-in/up. */
const broken: RateLimitStore = { executeSql: async () => Promise.reject(new Error('connection refused')) };
const stalled: RateLimitStore = { executeSql: () => new Promise(() => {}) };

function capturingLog() {
  const lines: { msg: string; limit?: string }[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
  return { log, lines };
}

describe('RateLimits when the store fails', () => {
  it('lets a fail-open limit through and logs why', async () => {
    const { log, lines } = capturingLog();
    const limits = new RateLimits(broken, { env: {}, log });
    await expect(limits.consume('syncNow', 'org-1')).resolves.toEqual({ allowed: true });
    await expect(limitRoute('telemetry', 'user-1', limits)).resolves.toBeNull();
    expect(lines.map((l) => [l.limit, l.msg])).toEqual([
      ['syncNow', 'rate-limit store failed; request allowed'],
      ['telemetry', 'rate-limit store failed; request allowed'],
    ]);
  });

  it('refuses sign-in and sign-up (fail closed) rather than allowing unlimited guesses', async () => {
    const limits = new RateLimits(broken, { env: {}, log: capturingLog().log });
    await expect(limits.beginSignIn('198.51.100.4', 'a@example.test')).rejects.toThrow('connection refused');
    await expect(limits.limitSignUp('198.51.100.4', 'a@example.test')).rejects.toThrow('connection refused');
  });

  it('treats a store that does not answer in time as failed', async () => {
    const limits = new RateLimits(stalled, { env: {}, log: capturingLog().log, timeoutMs: 50 });
    await expect(limits.consume('inviteMember', 'org-1')).resolves.toEqual({ allowed: true });
    await expect(limits.beginSignIn('198.51.100.4', 'a@example.test')).rejects.toThrow(/did not answer within 50 ms/);
  });
});
