import { describe, expect, it } from 'vitest';
import { envVariableOf, LIMITS, resolveLimit, retryAfterText } from './limits';

describe('resolveLimit', () => {
  it('uses the defaults without an override', () => {
    expect(resolveLimit('signInAccount', {})).toEqual(LIMITS.signInAccount);
  });

  it('applies points/duration[/block] from the limit’s variable', () => {
    expect(envVariableOf(LIMITS.signInIp)).toBe('FLEETLINE_RATE_LIMIT_SIGN_IN_IP');
    expect(resolveLimit('signInIp', { FLEETLINE_RATE_LIMIT_SIGN_IN_IP: '50/600/1200' })).toMatchObject({ points: 50, duration: 600, block: 1200 });
    expect(resolveLimit('telemetry', { FLEETLINE_RATE_LIMIT_TELEMETRY: '30/60' })).toMatchObject({ points: 30, duration: 60, block: 0 });
  });

  it('stops on a malformed override, naming the variable', () => {
    expect(() => resolveLimit('syncNow', { FLEETLINE_RATE_LIMIT_SYNC_NOW: 'lots' })).toThrow(/FLEETLINE_RATE_LIMIT_SYNC_NOW/);
    expect(() => resolveLimit('syncNow', { FLEETLINE_RATE_LIMIT_SYNC_NOW: '0/60' })).toThrow(/FLEETLINE_RATE_LIMIT_SYNC_NOW/);
  });
});

describe('retryAfterText', () => {
  it('says when to retry in words, rounded up', () => {
    expect(retryAfterText(42)).toBe('42 s');
    expect(retryAfterText(61)).toBe('2 min');
    expect(retryAfterText(3601)).toBe('2 h');
  });
});
