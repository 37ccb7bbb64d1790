import { describe, expect, it } from 'vitest';
import { describeAlert, describeCondition } from './describe';
import { alertConditionSchema, clearLevelIsValid, conditionForSeconds, createRuleSchema, snoozeRuleSchema } from './schemas';

describe('alert conditions', () => {
  it('parse each kind with its defaults', () => {
    expect(alertConditionSchema.parse({ kind: 'offline', minutes: 10 })).toEqual({ kind: 'offline', minutes: 10, includeStale: false });
    expect(alertConditionSchema.parse({ kind: 'threshold', metric: 'battery', op: 'lt', value: 15, clearValue: 20, forSeconds: 600 })).toEqual({
      kind: 'threshold', metric: 'battery', op: 'lt', value: 15, clearValue: 20, forSeconds: 600,
    });
    expect(alertConditionSchema.parse({ kind: 'anomaly', metric: 'temperature' })).toEqual({
      kind: 'anomaly', metric: 'temperature', sensitivity: 'medium', minHistoryHours: 24, peers: 'off', forSeconds: 0,
    });
    expect(alertConditionSchema.parse({ kind: 'command_timeout' })).toEqual({ kind: 'command_timeout' });
    expect(alertConditionSchema.parse({ kind: 'sync_failure', consecutive: 3 })).toEqual({ kind: 'sync_failure', consecutive: 3 });
  });

  it('split a reported path into validated segments, in the classic or a named shadow', () => {
    const parsed = alertConditionSchema.parse({ kind: 'threshold', metric: { shadow: 'env', path: 'sensors.t1' }, op: 'gt', value: 40 });
    expect(parsed).toMatchObject({ metric: { shadow: 'env', path: ['sensors', 't1'] } });
    expect(alertConditionSchema.parse({ kind: 'threshold', metric: { path: 'pressure' }, op: 'gt', value: 1 })).toMatchObject({ metric: { path: ['pressure'] } });
    // The stored form (segments) parses back to itself, as the evaluation re-reads it.
    expect(alertConditionSchema.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    expect(alertConditionSchema.safeParse({ kind: 'threshold', metric: { path: ['a', 'b c'] }, op: 'gt', value: 1 }).success).toBe(false);
    for (const path of ['a..b', "x'; drop table", 'a.' + 'b.'.repeat(8) + 'c', '']) {
      expect(alertConditionSchema.safeParse({ kind: 'threshold', metric: { path }, op: 'gt', value: 1 }).success, path).toBe(false);
    }
    expect(alertConditionSchema.safeParse({ kind: 'threshold', metric: { shadow: 'bad name', path: 'x' }, op: 'gt', value: 1 }).success).toBe(false);
    expect(alertConditionSchema.safeParse({ kind: 'threshold', metric: 'voltage', op: 'gt', value: 1 }).success).toBe(false);
  });

  it('refuse a clear level on the wrong side of the alert level (hysteresis must widen, not invert)', () => {
    const below = { kind: 'threshold', metric: 'battery', op: 'lt', value: 15 };
    expect(alertConditionSchema.safeParse({ ...below, clearValue: 20 }).success).toBe(true);
    expect(alertConditionSchema.safeParse({ ...below, clearValue: 15 }).success).toBe(true);
    const wrong = alertConditionSchema.safeParse({ ...below, clearValue: 10 });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]?.path).toEqual(['clearValue']);
    expect(alertConditionSchema.safeParse({ kind: 'threshold', metric: 'temperature', op: 'gt', value: 40, clearValue: 45 }).success).toBe(false);
    expect(clearLevelIsValid('lte', 15, 15)).toBe(false);
    expect(clearLevelIsValid('gte', 40, 39)).toBe(true);
  });

  it('bound fleet shares to 100 % and counts to non-negative numbers', () => {
    const share = { kind: 'fleet_share', match: { type: 'offline' }, measure: 'share', op: 'gt' };
    expect(alertConditionSchema.parse({ ...share, level: 5 })).toMatchObject({ match: { type: 'offline', minutes: 0 }, level: 5 });
    expect(alertConditionSchema.safeParse({ ...share, level: 101 }).success).toBe(false);
    expect(alertConditionSchema.safeParse({ ...share, measure: 'count', level: 500 }).success).toBe(true);
    expect(alertConditionSchema.safeParse({ ...share, level: -1 }).success).toBe(false);
    expect(alertConditionSchema.safeParse({ ...share, level: 5, clearLevel: 8 }).success).toBe(false);
  });

  it('refuse unknown kinds and missing fields', () => {
    expect(alertConditionSchema.safeParse({ kind: 'cpu' }).success).toBe(false);
    expect(alertConditionSchema.safeParse({ kind: 'offline' }).success).toBe(false);
    expect(alertConditionSchema.safeParse({ kind: 'ota_failure', failureSharePercent: 120 }).success).toBe(false);
  });

  it('copy the duration of the kinds that have one to for_seconds', () => {
    expect(conditionForSeconds(alertConditionSchema.parse({ kind: 'threshold', metric: 'rssi', op: 'lt', value: -90, forSeconds: 300 }))).toBe(300);
    expect(conditionForSeconds(alertConditionSchema.parse({ kind: 'offline', minutes: 10 }))).toBe(0);
  });
});

describe('rule inputs', () => {
  it('take the shared device filter and default the rest', () => {
    const rule = createRuleSchema.parse({ name: ' Low battery ', condition: { kind: 'offline', minutes: 5 }, filter: { group: 'site-berlin' } });
    expect(rule).toMatchObject({ name: 'Low battery', severity: 'warning', enabled: true, channelIds: [], filter: { group: 'site-berlin' } });
    expect(createRuleSchema.safeParse({ name: 'x', condition: { kind: 'offline', minutes: 5 }, filter: { status: ['asleep'] } }).success).toBe(false);
    expect(createRuleSchema.safeParse({ name: 'x', condition: { kind: 'offline', minutes: 5 }, channelIds: ['not-a-uuid'] }).success).toBe(false);
  });

  it('snooze for at most 30 days, or lift it with null', () => {
    const ruleId = '00000000-0000-4000-8000-000000000000';
    expect(snoozeRuleSchema.safeParse({ ruleId, until: new Date(Date.now() + 3600_000).toISOString() }).success).toBe(true);
    expect(snoozeRuleSchema.safeParse({ ruleId, until: null }).success).toBe(true);
    expect(snoozeRuleSchema.safeParse({ ruleId, until: new Date(Date.now() + 31 * 86400_000).toISOString() }).success).toBe(false);
  });
});

describe('descriptions', () => {
  it('say what the rule watches and what the value was', () => {
    const threshold = alertConditionSchema.parse({ kind: 'threshold', metric: 'battery', op: 'lt', value: 15, clearValue: 20, forSeconds: 600 });
    expect(describeCondition(threshold)).toBe('battery < 15 for 10 min (clears at 20)');
    expect(describeAlert(threshold, 'sensor-1', 12.345)).toBe('sensor-1: battery < 15 for 10 min (clears at 20) — 12.35');
    const share = alertConditionSchema.parse({ kind: 'fleet_share', match: { type: 'offline', minutes: 10 }, measure: 'share', op: 'gt', level: 5 });
    expect(describeAlert(share, null, 12.5)).toBe('share of devices offline > 10 min > 5 % — 12.5 %');
    expect(describeCondition(alertConditionSchema.parse({ kind: 'threshold', metric: { shadow: 'env', path: 'a.b' }, op: 'gte', value: 1 }))).toBe('env:a.b ≥ 1');
  });
});

describe('demo rules', () => {
  it('are valid rules and store their duration', async () => {
    const { DEMO_ALERT_RULES, storedRule } = await import('./demo-rules');
    expect(DEMO_ALERT_RULES.map((r) => r.condition.kind)).toEqual(['offline', 'threshold', 'anomaly']);
    expect(DEMO_ALERT_RULES.map(storedRule).map((r) => r.for_seconds)).toEqual([0, 600, 0]);
  });
});
