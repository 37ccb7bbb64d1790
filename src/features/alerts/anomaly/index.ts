import type { AnomalyCandidates } from '../evaluate';
import type { Tx } from '@/lib/db';
import { refreshBaselines, type RefreshBaselinesArgs } from './baselines';
import { SUSTAIN_WINDOW_MS } from './constants';
import { currentValue, metricHistory } from './history';
import { fullScanBatch } from './scan';
import { scoreAnomalies } from './score';

export { refreshBaselines } from './baselines';
export { scoreAnomalies, type PeerMode, type ScoringScope } from './score';
export { currentValue, metricHistory, type MetricHistory } from './history';
export { fullScanBatch } from './scan';
export { anomalyThresholds, HOLD_RATIO } from './constants';

export interface AnomalyHookOptions {
  /** Baselines learned per rule and evaluation at most (missing first, then the stalest). */
  refreshBatch?: number;
  /** The refresh stops starting new chunks once it has spent this long in an evaluation. */
  refreshBudgetMs?: number;
  /** The refresh learns this many baselines per statement (the unit the time budget is checked at). */
  refreshChunk?: number;
  /** A baseline older than this is learned again. */
  refreshAfterMs?: number;
  /** Points this recent can fire as a spike; covers the gap between two evaluations. */
  pointLookbackMs?: number;
  /**
   * `prefilter` (default): score every device's current value first and read recent points only for
   * those beyond the hold band, those with an open alert, and the rotating full-scan batch.
   * `full`: read every device's recent points every evaluation (round 1; kept for the bench).
   */
  scoring?: 'prefilter' | 'full';
  /** A full pass (stuck / drift) over a rule's devices starts at most this often. */
  fullScanIntervalMs?: number;
  /** Devices read in full per evaluation while a pass is under way. */
  fullScanBatch?: number;
}

export const DEFAULT_ANOMALY_OPTIONS = {
  refreshBatch: 2000,
  refreshBudgetMs: 200,
  refreshChunk: 50,
  refreshAfterMs: 3_600_000,
  pointLookbackMs: 5 * 60_000,
  scoring: 'prefilter',
  fullScanIntervalMs: 10 * 60_000,
  fullScanBatch: 2000,
} as const satisfies Required<AnomalyHookOptions>;

/**
 * One evaluation's share of relearning for a rule: the stalest due baselines, chunk by chunk, until
 * `refreshBatch` are learned or `refreshBudgetMs` is spent (a chunk already started finishes). At a
 * few ms per device, 100k devices cannot all be relearned hourly inside the budget: the oldest are
 * then simply older than `refreshAfterMs` (a baseline is a day of history, so an hour or three of
 * staleness barely moves it). Returns how many were learned.
 */
export async function refreshDueBaselines(
  tx: Tx,
  args: Omit<RefreshBaselinesArgs, 'batch' | 'maxAgeMs'>,
  options: Pick<AnomalyHookOptions, 'refreshBatch' | 'refreshBudgetMs' | 'refreshChunk' | 'refreshAfterMs'> = {},
): Promise<number> {
  const settings = { ...DEFAULT_ANOMALY_OPTIONS, ...options };
  const started = performance.now();
  let learned = 0;
  while (learned < settings.refreshBatch && performance.now() - started < settings.refreshBudgetMs) {
    const chunk = Math.min(settings.refreshChunk, settings.refreshBatch - learned);
    const written = await refreshBaselines(tx, { ...args, batch: chunk, maxAgeMs: settings.refreshAfterMs });
    learned += written;
    if (written < chunk) break;
  }
  return learned;
}

/**
 * The anomaly rules' hook for alert evaluation (EvaluateDeps.anomaly): per rule, learn the due
 * baselines within a count and a time budget, then score. The scoring is set-based in SQL whatever
 * the fleet size: the cached current value of every device against its baseline (no history read),
 * then the newest points only of the few devices that need them (see ScoringScope). History comes
 * from Fleetline's own tables (the telemetry store when the device has points for the metric, else
 * the shadow history).
 */
export function anomalyCandidates(options: AnomalyHookOptions = {}): AnomalyCandidates {
  const settings = { ...DEFAULT_ANOMALY_OPTIONS, ...options };
  return async (tx, { orgId, rule, where, now }) => {
    const metric = metricHistory(rule.condition.metric);
    await refreshDueBaselines(tx, { orgId, ruleId: rule.id, metric, where, now }, settings);
    const scope =
      settings.scoring === 'full'
        ? ({ kind: 'all' } as const)
        : {
            kind: 'prefilter' as const,
            current: currentValue(tx, orgId, rule.condition.metric, metric, new Date(now.getTime() - SUSTAIN_WINDOW_MS), now, new Date(now.getTime() - settings.pointLookbackMs)),
            fullScan: await fullScanBatch(tx, { orgId, ruleId: rule.id, now, intervalMs: settings.fullScanIntervalMs, batch: settings.fullScanBatch }),
          };
    return scoreAnomalies(tx, {
      orgId,
      ruleId: rule.id,
      metric,
      where,
      now,
      sensitivity: rule.condition.sensitivity,
      minHistoryHours: rule.condition.minHistoryHours,
      peers: rule.condition.peers,
      pointLookbackMs: settings.pointLookbackMs,
      scope,
    });
  };
}
