import { describe, expect, it } from 'vitest';
import { describeVerdict, GUARD_DEFAULTS, judgeGuard, judgeRule, twoProportionZ } from './guard-decision';

const params = { ...GUARD_DEFAULTS };

describe('twoProportionZ', () => {
  it('matches the pooled two-proportion statistic computed by hand', () => {
    // p_t = 0.3, p_w = 0.1, pooled 0.2: se = √(0.2·0.8·(1/50 + 1/50)) = 0.08 → z = 2.5
    expect(twoProportionZ({ devices: 50, alerted: 15 }, { devices: 50, alerted: 5 })).toBeCloseTo(2.5, 10);
  });

  it('is negative when the waiting devices do worse, and undefined for empty groups or no spread', () => {
    expect(twoProportionZ({ devices: 50, alerted: 5 }, { devices: 50, alerted: 15 })).toBeCloseTo(-2.5, 10);
    expect(twoProportionZ({ devices: 0, alerted: 0 }, { devices: 10, alerted: 1 })).toBeNull();
    expect(twoProportionZ({ devices: 10, alerted: 0 }, { devices: 10, alerted: 0 })).toBeNull();
    expect(twoProportionZ({ devices: 10, alerted: 10 }, { devices: 10, alerted: 10 })).toBeNull();
  });
});

describe('judgeRule', () => {
  it('trips when the updated share is higher by the margin and significantly so', () => {
    const v = judgeRule({ devices: 40, alerted: 12 }, { devices: 20, alerted: 0 }, params);
    expect(v).toMatchObject({ trip: true, reason: 'tripped', treatedShare: 30, waitingShare: 0 });
    expect(v.z).toBeGreaterThan(1.6449);
  });

  it('gives no verdict before enough devices were updated, however bad they look', () => {
    expect(judgeRule({ devices: 9, alerted: 9 }, { devices: 100, alerted: 0 }, params)).toMatchObject({ trip: false, reason: 'too_few_treated' });
    expect(judgeRule({ devices: 9, alerted: 9 }, { devices: 100, alerted: 0 }, { ...params, minTreated: 5 })).toMatchObject({ trip: true });
  });

  it('does not trip with nobody left waiting (nothing to stop, nothing to compare with)', () => {
    expect(judgeRule({ devices: 50, alerted: 50 }, { devices: 0, alerted: 0 }, params)).toMatchObject({ trip: false, reason: 'nobody_waiting', waitingShare: null });
  });

  it('does not trip on a significant difference smaller than the margin', () => {
    // 12 % vs 5 % on large groups: z ≈ 5.7, yet only 7 points apart.
    const v = judgeRule({ devices: 1000, alerted: 120 }, { devices: 1000, alerted: 50 }, params);
    expect(v.z).toBeGreaterThan(5);
    expect(v).toMatchObject({ trip: false, reason: 'within_margin' });
  });

  it('does not trip on a large difference that small groups could show by chance', () => {
    // 2 of 10 vs 0 of 3: 20 points apart, z ≈ 0.85.
    expect(judgeRule({ devices: 10, alerted: 2 }, { devices: 3, alerted: 0 }, params)).toMatchObject({ trip: false, reason: 'not_significant' });
  });

  it('is stricter at a higher confidence', () => {
    // z = 2.5: over the 95 % and 99 % critical values; 1.8 would pass at 95 % but not at 99 %.
    const t = { devices: 50, alerted: 15 };
    const w = { devices: 50, alerted: 5 };
    expect(judgeRule(t, w, { ...params, confidence: 0.99 }).trip).toBe(true);
    const t2 = { devices: 60, alerted: 15 };
    const w2 = { devices: 60, alerted: 7 };
    const z = twoProportionZ(t2, w2)!;
    expect(z).toBeGreaterThan(1.6449);
    expect(z).toBeLessThan(2.3263);
    expect(judgeRule(t2, w2, { ...params, confidence: 0.95 }).trip).toBe(true);
    expect(judgeRule(t2, w2, { ...params, confidence: 0.99 })).toMatchObject({ trip: false, reason: 'not_significant' });
  });

  it('never trips when the updated devices do as well as the waiting ones', () => {
    expect(judgeRule({ devices: 100, alerted: 10 }, { devices: 100, alerted: 10 }, { ...params, marginPercent: 0 })).toMatchObject({ trip: false, reason: 'not_significant' });
  });
});

describe('judgeGuard and describeVerdict', () => {
  it('trips the job when any rule trips and says which rule with both shares', () => {
    const at = new Date('2026-12-08T10:00:00Z');
    const { check, tripped } = judgeGuard(
      [
        { ruleId: 'r1', ruleName: 'Battery low', treated: { devices: 40, alerted: 12 }, waiting: { devices: 20, alerted: 0 } },
        { ruleId: 'r2', ruleName: 'Offline', treated: { devices: 40, alerted: 1 }, waiting: { devices: 20, alerted: 1 } },
      ],
      params,
      at,
    );
    expect(check.at).toBe(at.toISOString());
    expect(check.rules).toHaveLength(2);
    expect(tripped.map((r) => r.ruleId)).toEqual(['r1']);
    expect(tripped[0]!.text).toMatch(/^Battery low: 12 of 40 updated devices \(30\.0 %\) vs 0 of 20 waiting \(0\.0 %\), z = \d\.\d\d ≥ 1\.64$/);
  });

  it('writes a dash for the share of an empty group', () => {
    expect(describeVerdict('R', judgeRule({ devices: 3, alerted: 1 }, { devices: 0, alerted: 0 }, params))).toBe('R: 1 of 3 updated devices (33.3 %) vs 0 of 0 waiting (–)');
  });
});
