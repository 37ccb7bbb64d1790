import { describe, expect, it } from 'vitest';
import { alertListQuery, parseAlertListParams } from './list-params';

const RULE = '7b0c3c1e-2f1a-4c55-9d2e-4a1b2c3d4e5f';

describe('alert list params', () => {
  it('reads known states and severities and drops the rest', () => {
    expect(parseAlertListParams({ state: 'firing,bogus,acknowledged,firing', severity: ['critical'], rule: RULE })).toEqual({
      state: ['firing', 'acknowledged'],
      severity: ['critical'],
      ruleId: RULE,
      deviceId: undefined,
      cursor: undefined,
    });
  });

  it('drops pending (never listed), bad ids and over-long cursors', () => {
    expect(parseAlertListParams({ state: 'pending', rule: 'nope', device: '1', cursor: 'x'.repeat(201) })).toEqual({
      state: undefined,
      severity: undefined,
      ruleId: undefined,
      deviceId: undefined,
      cursor: undefined,
    });
  });

  it('round-trips through the query string', () => {
    const params = { state: ['resolved' as const], severity: ['info' as const, 'warning' as const], ruleId: RULE, cursor: 'abc' };
    const query = alertListQuery(params);
    expect(query).toBe(`?state=resolved&severity=info%2Cwarning&rule=${RULE}&cursor=abc`);
    expect(parseAlertListParams(Object.fromEntries(new URLSearchParams(query.slice(1))))).toEqual({ ...params, deviceId: undefined });
    expect(alertListQuery({})).toBe('');
  });
});
