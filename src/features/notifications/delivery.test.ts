import { describe, expect, it } from 'vitest';
import { STRICT_POLICY } from '@/lib/net/outbound-guard';
import { webhookSchemeAllowed } from './delivery';

const LOCAL = { ...STRICT_POLICY, allowLoopback: true };

describe('webhookSchemeAllowed', () => {
  it('accepts any http(s) URL outside production', () => {
    expect(webhookSchemeAllowed('http://hooks.example.com/x', STRICT_POLICY, false)).toBe(true);
  });

  it('accepts https in production', () => {
    expect(webhookSchemeAllowed('https://hooks.example.com/x', STRICT_POLICY, true)).toBe(true);
  });

  it('refuses plain http in production, even to loopback, unless the environment allows loopback', () => {
    expect(webhookSchemeAllowed('http://hooks.example.com/x', LOCAL, true)).toBe(false);
    expect(webhookSchemeAllowed('http://127.0.0.1:9000/x', STRICT_POLICY, true)).toBe(false);
    expect(webhookSchemeAllowed('http://10.0.0.5/x', { ...LOCAL, allowPrivate: true }, true)).toBe(false);
  });

  it('accepts plain http to a literal loopback address where loopback is allowed (the local stack)', () => {
    expect(webhookSchemeAllowed('http://127.0.0.1:9000/hook', LOCAL, true)).toBe(true);
    expect(webhookSchemeAllowed('http://localhost:9000/hook', LOCAL, true)).toBe(false);
    expect(webhookSchemeAllowed('not a url', LOCAL, true)).toBe(false);
  });
});
