import type { AnomalyCandidates } from '../evaluate';
import { refreshBaselines } from './baselines';
import { metricHistory } from './history';
import { scoreAnomalies } from './score';

export { refreshBaselines } from './baselines';
export { scoreAnomalies, type PeerMode } from './score';
export { metricHistory, type MetricHistory } from './history';
export { anomalyThresholds, HOLD_RATIO } from './constants';

export interface AnomalyHookOptions {
  /** Baselines learned per rule and evaluation at most (missing first, then the stalest). */
  refreshBatch?: number;
  /** A baseline older than this is learned again. */
  refreshAfterMs?: number;
  /** Points this recent can fire as a spike; covers the gap between two evaluations. */
  pointLookbackMs?: number;
}

export const DEFAULT_ANOMALY_OPTIONS = { refreshBatch: 2000, refreshAfterMs: 3_600_000, pointLookbackMs: 5 * 60_000 } as const satisfies Required<AnomalyHookOptions>;

/**
 * The anomaly rules' hook for alert evaluation (EvaluateDeps.anomaly): per rule, learn a bounded
 * batch of due baselines, then score every selected device's newest points against its baseline.
 * Two set-based statements per rule, whatever the fleet size; history comes from Fleetline's own
 * tables (the telemetry store when the device has points for the metric, else the shadow history).
 */
export function anomalyCandidates(options: AnomalyHookOptions = {}): AnomalyCandidates {
  const settings = { ...DEFAULT_ANOMALY_OPTIONS, ...options };
  return async (tx, { orgId, rule, where, now }) => {
    const metric = metricHistory(rule.condition.metric);
    await refreshBaselines(tx, { orgId, ruleId: rule.id, metric, where, now, batch: settings.refreshBatch, maxAgeMs: settings.refreshAfterMs });
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
    });
  };
}
