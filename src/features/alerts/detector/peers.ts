import { median, scaledMad } from './robust';
import { type Sensitivity, thresholds } from './schemas';

/**
 * Devices whose value stands out from their group: the robust z-score against the group's median
 * and scaled MAD (the mean absolute deviation when more than half the values are equal). Groups of
 * fewer than five have no robust centre and report nobody.
 */
export interface PeerOutlier {
  id: string;
  v: number;
  score: number;
}

export const MIN_PEERS = 5;

export function peerOutliers(values: readonly { id: string; v: number }[], sensitivity: Sensitivity = 'medium'): PeerOutlier[] {
  const finite = values.filter((p) => Number.isFinite(p.v));
  if (finite.length < MIN_PEERS) return [];
  const vs = finite.map((p) => p.v);
  const center = median(vs);
  let scale = scaledMad(vs, center);
  if (!(scale > 0)) scale = (1.2533 * vs.reduce((s, v) => s + Math.abs(v - center), 0)) / vs.length;
  if (!(scale > 0)) return [];
  const limit = thresholds(sensitivity).point;
  return finite
    .map((p) => ({ id: p.id, v: p.v, score: Math.round(((p.v - center) / scale) * 1e4) / 1e4 }))
    .filter((p) => Math.abs(p.score) >= limit)
    .sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
}
