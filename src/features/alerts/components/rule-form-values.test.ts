import { describe, expect, it } from 'vitest';
import { EMPTY_RULE_VALUES, ruleToValues, valuesToInput } from './rule-form-values';

describe('rule form values', () => {
  it('builds an offline rule with the device filter the device list would parse', () => {
    const result = valuesToInput({ ...EMPTY_RULE_VALUES, name: 'Berlin offline', minutes: '1', group: 'site-berlin', status: ['online', 'offline'], attr: 'site=lab' });
    expect(result).toEqual({
      ok: true,
      input: expect.objectContaining({
        name: 'Berlin offline',
        filter: { group: 'site-berlin', status: ['online', 'offline'], attr: [{ key: 'site', value: 'lab' }] },
        condition: { kind: 'offline', minutes: 1, includeStale: false },
      }),
    });
  });

  it('keys issues by field path: missing numbers, a wrong clear level, a bad path, a bad attribute', () => {
    const threshold = valuesToInput({ ...EMPTY_RULE_VALUES, name: '', kind: 'threshold', op: 'lt', value: '15', clearValue: '10', metric: 'path', path: 'a..b' });
    expect(threshold.ok).toBe(false);
    if (threshold.ok) return;
    expect(threshold.issues.name).toEqual(['Enter a name.']);
    expect(Object.keys(threshold.issues)).toContain('condition.metric.path.1');
    const clear = valuesToInput({ ...EMPTY_RULE_VALUES, name: 'x', kind: 'threshold', op: 'lt', value: '15', clearValue: '10' });
    expect(clear).toMatchObject({ ok: false, issues: { 'condition.clearValue': ['The clear level must be above the alert level.'] } });
    const missing = valuesToInput({ ...EMPTY_RULE_VALUES, name: 'x', kind: 'sync_failure', consecutive: '' });
    expect(missing).toMatchObject({ ok: false, issues: { 'condition.consecutive': ['Enter a number.'] } });
    const attr = valuesToInput({ ...EMPTY_RULE_VALUES, name: 'x', attr: 'bad key=1' });
    expect(attr).toMatchObject({ ok: false, issues: { 'filter.attr': ['Use key=value pairs, separated by commas.'] } });
  });

  it('round-trips every kind through the form (edit shows what was saved)', () => {
    const conditions = [
      { kind: 'offline', minutes: 5, includeStale: true },
      { kind: 'threshold', metric: { shadow: 'env', path: ['sensors', 't1'] }, op: 'gt', value: 40, clearValue: 35, forSeconds: 600 },
      { kind: 'fleet_share', match: { type: 'threshold', metric: 'battery', op: 'lt', value: 15 }, measure: 'share', op: 'gte', level: 5, clearLevel: 3, forSeconds: 0 },
      { kind: 'fleet_share', match: { type: 'offline', minutes: 10 }, measure: 'count', op: 'gt', level: 20, forSeconds: 300 },
      { kind: 'threshold', metric: { telemetry: 'engine.temp' }, op: 'gte', value: 90, forSeconds: 0 },
      { kind: 'fleet_share', match: { type: 'threshold', metric: { telemetry: 'pressure' }, op: 'lt', value: 2 }, measure: 'count', op: 'gt', level: 3, forSeconds: 0 },
      { kind: 'anomaly', metric: 'temperature', sensitivity: 'high', minHistoryHours: 48, peers: 'group', forSeconds: 0 },
      { kind: 'ota_failure', failureSharePercent: 12.5 },
      { kind: 'sync_failure', consecutive: 4 },
      { kind: 'command_timeout' },
    ] as const;
    for (const condition of conditions) {
      const rule = { name: 'r', description: null, severity: 'critical' as const, enabled: false, channelIds: [], filter: { q: 'pump' }, condition };
      const back = valuesToInput(ruleToValues(rule as Parameters<typeof ruleToValues>[0]));
      expect(back).toEqual({ ok: true, input: { name: 'r', severity: 'critical', enabled: false, channelIds: [], filter: { q: 'pump' }, condition } });
    }
  });
});

describe('rule form messages', () => {
  it('checks a live-data metric name like the telemetry store does', () => {
    const bad = valuesToInput({ ...EMPTY_RULE_VALUES, name: 'x', kind: 'threshold', metric: 'telemetry', telemetryMetric: '9 lives', value: '1' });
    expect(bad).toMatchObject({ ok: false, issues: { 'condition.metric.telemetry': [expect.stringContaining('start with a letter')] } });
  });

  it('says what range a number must be in', () => {
    expect(valuesToInput({ ...EMPTY_RULE_VALUES, name: 'x', minutes: '0' })).toMatchObject({ ok: false, issues: { 'condition.minutes': ['Enter at least 1.'] } });
    expect(valuesToInput({ ...EMPTY_RULE_VALUES, name: 'x', kind: 'ota_failure', failureSharePercent: '120' })).toMatchObject({
      ok: false,
      issues: { 'condition.failureSharePercent': ['Enter at most 100.'] },
    });
  });
});
