/**
 * The health guard's verdict, pure and browser-safe. For each guard rule the devices of a job fall
 * in two groups: *treated* (took the update: execution IN_PROGRESS or SUCCEEDED) and *waiting*
 * (execution still QUEUED). Devices whose update FAILED, TIMED_OUT, was REJECTED, REMOVED or
 * CANCELED are in neither: AWS's own abort criteria judge those. A device is *alerted* when it has
 * an open (firing or acknowledged) alert of the rule.
 *
 * The guard trips on a rule when all three hold:
 * 1. at least `minTreated` devices were treated (no verdict on a handful of canaries);
 * 2. the treated share exceeds the waiting share by at least `marginPercent` points (a difference
 *    big enough to matter, whatever the sample size);
 * 3. a one-sided two-proportion z-test (pooled standard error) says the treated share is higher at
 *    the chosen confidence: z = (p_t − p_w) / √(p̂(1 − p̂)(1/n_t + 1/n_w)) ≥ z_crit, p̂ the pooled share
 *    (a difference unlikely to be chance, whatever its size).
 * The waiting devices are the control group: same fleet, same moment, not updated yet. With nobody
 * waiting there is nothing left to stop and no comparison, so there is no verdict.
 */
export const GUARD_CONFIDENCES = [0.9, 0.95, 0.99] as const;
export type GuardConfidence = (typeof GUARD_CONFIDENCES)[number];

/** One-sided critical values of the standard normal distribution. */
export const Z_CRITICAL: Record<GuardConfidence, number> = { 0.9: 1.2816, 0.95: 1.6449, 0.99: 2.3263 };

export const GUARD_DEFAULTS = { minTreated: 10, marginPercent: 10, confidence: 0.95 as GuardConfidence } as const;
export const GUARD_LIMITS = { rules: 5, minTreated: { min: 1, max: 100_000 }, marginPercent: { min: 0, max: 100 } } as const;

export interface GuardParams {
  minTreated: number;
  marginPercent: number;
  confidence: GuardConfidence;
}

export interface GroupCount {
  devices: number;
  alerted: number;
}

export type VerdictReason = 'too_few_treated' | 'nobody_waiting' | 'within_margin' | 'not_significant' | 'tripped';

export interface RuleVerdict {
  trip: boolean;
  reason: VerdictReason;
  treated: GroupCount;
  waiting: GroupCount;
  /** Percent, one decimal; null for an empty group. */
  treatedShare: number | null;
  waitingShare: number | null;
  /** The test statistic; null when it is undefined (an empty group, or both shares 0 % or 100 %). */
  z: number | null;
  zCritical: number;
}

const pct = (g: GroupCount) => (g.devices === 0 ? null : Math.round((1000 * g.alerted) / g.devices) / 10);

/** The one-sided pooled two-proportion z statistic (treated minus waiting), or null when undefined. */
export function twoProportionZ(treated: GroupCount, waiting: GroupCount): number | null {
  if (treated.devices === 0 || waiting.devices === 0) return null;
  const pt = treated.alerted / treated.devices;
  const pw = waiting.alerted / waiting.devices;
  const pooled = (treated.alerted + waiting.alerted) / (treated.devices + waiting.devices);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / treated.devices + 1 / waiting.devices));
  return se === 0 ? null : (pt - pw) / se;
}

export function judgeRule(treated: GroupCount, waiting: GroupCount, params: GuardParams): RuleVerdict {
  const zCritical = Z_CRITICAL[params.confidence];
  const z = twoProportionZ(treated, waiting);
  const base = { treated, waiting, treatedShare: pct(treated), waitingShare: pct(waiting), z: z === null ? null : Math.round(z * 100) / 100, zCritical };
  const verdict = (reason: VerdictReason): RuleVerdict => ({ ...base, trip: reason === 'tripped', reason });
  if (treated.devices < params.minTreated) return verdict('too_few_treated');
  if (waiting.devices === 0) return verdict('nobody_waiting');
  const difference = (100 * treated.alerted) / treated.devices - (100 * waiting.alerted) / waiting.devices;
  if (difference < params.marginPercent) return verdict('within_margin');
  if (z === null || z < zCritical) return verdict('not_significant');
  return verdict('tripped');
}

export const VERDICT_LABELS: Record<VerdictReason, string> = {
  too_few_treated: 'too few devices updated to judge yet',
  nobody_waiting: 'no device left waiting to compare with',
  within_margin: 'difference within the margin',
  not_significant: 'difference could be chance',
  tripped: 'clearly higher among updated devices',
};

const share = (s: number | null) => (s === null ? '–' : `${s.toFixed(1)} %`);

/** "battery low: 12 of 40 updated devices (30.0 %) vs 0 of 20 waiting (0.0 %), z = 2.77 ≥ 1.64". */
export function describeVerdict(ruleName: string, v: RuleVerdict): string {
  const z = v.z === null ? '' : `, z = ${v.z.toFixed(2)} ${v.z >= v.zCritical ? '≥' : '<'} ${v.zCritical.toFixed(2)}`;
  return `${ruleName}: ${v.treated.alerted} of ${v.treated.devices} updated devices (${share(v.treatedShare)}) vs ${v.waiting.alerted} of ${v.waiting.devices} waiting (${share(v.waitingShare)})${z}`;
}

/** What one check found for one rule, as stored in ota_job_guards.last_check / trip and shown on the job page. */
export interface GuardRuleCheck extends RuleVerdict {
  ruleId: string;
  ruleName: string;
  text: string;
}

export interface GuardCheck {
  at: string;
  rules: GuardRuleCheck[];
}

/** Verdicts of every guard rule; the job trips when any rule trips. */
export function judgeGuard(
  rules: { ruleId: string; ruleName: string; treated: GroupCount; waiting: GroupCount }[],
  params: GuardParams,
  at: Date,
): { check: GuardCheck; tripped: GuardRuleCheck[] } {
  const checked = rules.map((r) => {
    const v = judgeRule(r.treated, r.waiting, params);
    return { ...v, ruleId: r.ruleId, ruleName: r.ruleName, text: describeVerdict(r.ruleName, v) };
  });
  return { check: { at: at.toISOString(), rules: checked }, tripped: checked.filter((r) => r.trip) };
}
