import type { Tx } from '@/lib/db';
import type { AnomalyWindow } from '../detector/detect';
import type { AnomalyKind, Sensitivity } from '../detector/schemas';
import { refreshBaselines } from './baselines';
import { SUSTAIN_WINDOW_MS } from './constants';
import { currentValue, metricHistory, type MetricHistory } from './history';
import { fullScanBatch } from './scan';
import { scoreAnomalies, type PeerMode } from './score';
import type { AnomalyMetricRef } from '../schemas';

/**
 * Replays the SQL path over stored history as the worker would run it: a clock stepping through
 * time, baselines refreshed when due, each step scoring the newest points. Consecutive steps with a
 * verdict (starting with a `fire`) form one window, so its result reads like the pure detector's
 * windows and the two can be scored on the same labels. Used by the agreement test and the bench.
 */
export interface ReplayArgs {
  db: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  orgId: string;
  ruleId: string;
  integrationId: string;
  metric: AnomalyMetricRef;
  from: Date;
  to: Date;
  stepMs: number;
  sensitivity?: Sensitivity;
  minHistoryHours?: number;
  peers?: PeerMode;
  refreshAfterMs?: number;
  /** As the hook: `prefilter` (default) or `full` (every device's recent points every step). */
  scoring?: 'prefilter' | 'full';
  /** The prefilter path's full pass (stuck / drift) interval and batch; the hook's defaults unless told. */
  fullScanIntervalMs?: number;
  fullScanBatch?: number;
}

export interface ReplayResult {
  windows: Map<string, AnomalyWindow[]>;
  steps: number;
  refreshMs: number;
  scoreMs: number;
}

const KIND_RANK: Record<string, number> = { spike: 1, level_shift: 2, stuck: 3 };

export async function replay(args: ReplayArgs): Promise<ReplayResult> {
  const metric: MetricHistory = metricHistory(args.metric);
  const windows = new Map<string, AnomalyWindow[]>();
  const open = new Map<string, AnomalyWindow>();
  let refreshMs = 0;
  let scoreMs = 0;
  let steps = 0;
  for (let t = args.from.getTime(); t <= args.to.getTime(); t += args.stepMs) {
    const now = new Date(t);
    steps++;
    const verdicts = await args.db(async (tx) => {
      const where = tx`d.org_id = ${args.orgId} and d.integration_id = ${args.integrationId}`;
      const started = performance.now();
      await refreshBaselines(tx, { orgId: args.orgId, ruleId: args.ruleId, metric, where, now, batch: 100_000, maxAgeMs: args.refreshAfterMs ?? 3_600_000 });
      const scope =
        args.scoring === 'full'
          ? ({ kind: 'all' } as const)
          : {
              kind: 'prefilter' as const,
              current: currentValue(tx, args.orgId, args.metric, metric, new Date(t - SUSTAIN_WINDOW_MS), now, new Date(t - args.stepMs)),
              // Devices with an open window stand for those with an open alert (the hook reads public.alerts; the replay writes none).
              fullScan: [...(await fullScanBatch(tx, { orgId: args.orgId, ruleId: args.ruleId, now, intervalMs: args.fullScanIntervalMs ?? 10 * 60_000, batch: args.fullScanBatch ?? 2000 })), ...open.keys()],
            };
      const scored = performance.now();
      const result = await scoreAnomalies(tx, {
        orgId: args.orgId,
        ruleId: args.ruleId,
        metric,
        where,
        now,
        sensitivity: args.sensitivity ?? 'medium',
        minHistoryHours: args.minHistoryHours ?? 24,
        peers: args.peers ?? 'off',
        pointLookbackMs: args.stepMs,
        scope,
      });
      refreshMs += scored - started;
      scoreMs += performance.now() - scored;
      return result;
    });
    const seen = new Set<string>();
    for (const v of verdicts) {
      seen.add(v.deviceId);
      const kind = String(v.details?.anomaly ?? 'spike');
      const at = Date.parse(String(v.details?.at ?? now.toISOString()));
      const current = open.get(v.deviceId);
      if (!current) {
        if (v.verdict !== 'fire') continue;
        const w: AnomalyWindow = { start: Math.min(at, t), end: t, kind: toKind(kind), peakScore: Math.abs(Number(v.details?.score ?? 0)), points: 1, direction: Number(v.details?.score ?? 0) >= 0 ? 'up' : 'down' };
        open.set(v.deviceId, w);
        continue;
      }
      current.end = t;
      current.points++;
      current.peakScore = Math.max(current.peakScore, Math.abs(Number(v.details?.score ?? 0)));
      if (v.verdict === 'fire' && (KIND_RANK[kind] ?? 0) > (KIND_RANK[current.kind] ?? 0)) current.kind = toKind(kind);
    }
    for (const [deviceId, w] of open) {
      if (seen.has(deviceId)) continue;
      open.delete(deviceId);
      windows.set(deviceId, [...(windows.get(deviceId) ?? []), w]);
    }
  }
  for (const [deviceId, w] of open) windows.set(deviceId, [...(windows.get(deviceId) ?? []), w]);
  return { windows, steps, refreshMs, scoreMs };
}

/** The SQL path tells spikes, sustained deviations (shift or drift alike) and stuck runs apart; peers count as spikes here. */
function toKind(kind: string): AnomalyKind {
  return kind === 'stuck' ? 'stuck' : kind === 'level_shift' ? 'level_shift' : 'spike';
}
