import { describe, expect, it } from 'vitest';
import { evaluateRule, parseRuleSql, topicMatches, type RuleMessage } from './rules-sql';

const msg = (topic: string, payload: RuleMessage['payload'], timestampMs = 1_700_000_000_000): RuleMessage => ({ topic, payload, timestampMs, clientId: 'sensor-000001' });

describe('rule SQL subset', () => {
  it('matches MQTT filters with + and #, and keeps $-topics away from leading wildcards', () => {
    expect(topicMatches('dt/+/telemetry', 'dt/sensor-000001/telemetry')).toBe(true);
    expect(topicMatches('dt/+/telemetry', 'dt/sensor-000001/telemetry/x')).toBe(false);
    expect(topicMatches('dt/#', 'dt/a/b/c')).toBe(true);
    expect(topicMatches('dt/#', 'dt')).toBe(true);
    expect(topicMatches('$aws/events/presence/+/+', '$aws/events/presence/connected/sensor-000001')).toBe(true);
    expect(topicMatches('#', '$aws/events/presence/connected/sensor-000001')).toBe(false);
    expect(topicMatches('+/events/#', '$aws/events/x')).toBe(false);
  });

  it('evaluates SELECT *, topic(n) and timestamp() with aliases', () => {
    const rule = parseRuleSql("SELECT *, topic(2) AS thing, timestamp() AS ts FROM 'dt/+/telemetry'");
    expect(rule.topicFilter).toBe('dt/+/telemetry');
    expect(evaluateRule(rule, msg('dt/sensor-000007/telemetry', { battery: 80, ts: 1 }, 42))).toEqual({ battery: 80, ts: 42, thing: 'sensor-000007' });
    expect(evaluateRule(rule, msg('dt/sensor-000007/other', { battery: 80 }))).toBeNull();
  });

  it('filters with WHERE comparisons joined by AND; missing fields never match', () => {
    const rule = parseRuleSql("select battery, topic() as t from 'dt/+/telemetry' where battery < 50 AND rssi <> -70 and topic(2) = 'sensor-000001'");
    expect(evaluateRule(rule, msg('dt/sensor-000001/telemetry', { battery: 49.5, rssi: -60 }))).toEqual({ battery: 49.5, t: 'dt/sensor-000001/telemetry' });
    expect(evaluateRule(rule, msg('dt/sensor-000001/telemetry', { battery: 50, rssi: -60 }))).toBeNull();
    expect(evaluateRule(rule, msg('dt/sensor-000001/telemetry', { battery: 10, rssi: -70 }))).toBeNull();
    expect(evaluateRule(rule, msg('dt/sensor-000002/telemetry', { battery: 10, rssi: -60 }))).toBeNull();
    expect(evaluateRule(rule, msg('dt/sensor-000001/telemetry', { rssi: -60 }))).toBeNull();
    const nested = parseRuleSql("SELECT * FROM 'a/#' WHERE state.level >= 2 AND kind = 'x'");
    expect(evaluateRule(nested, msg('a/b', { state: { level: 2 }, kind: 'x' }))).not.toBeNull();
    expect(evaluateRule(nested, msg('a/b', { state: { level: 1 }, kind: 'x' }))).toBeNull();
  });

  it('rejects SQL outside the subset with SqlParseException', () => {
    for (const sql of [
      "SELECT * FROM 'a/#' WHERE a = 1 OR b = 2",
      "SELECT * FROM 'a/#/b'",
      "SELECT * FROM 'a/b+'",
      'SELECT * FROM a',
      "SELECT upper(x) AS y FROM 'a'",
      "SELECT * FROM 'a' WHERE",
      "DELETE FROM 'a'",
      "SELECT * FROM 'a",
    ]) {
      expect(() => parseRuleSql(sql), sql).toThrow(expect.objectContaining({ code: 'SqlParseException', status: 400 }));
    }
  });
});
