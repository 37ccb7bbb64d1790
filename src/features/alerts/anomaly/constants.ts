import { MIN_PEERS } from '../detector/peers';
import { detectOptionsSchema, thresholds, type Sensitivity } from '../detector/schemas';

/**
 * The SQL scoring's settings, taken from the pure detector so both judge a series alike: the same
 * robust z thresholds per sensitivity, the same windows (last day for the level, a week for the
 * daily cycle once three days exist, an hour for a sustained deviation), the same stuck-run rule.
 */
const DETECTOR = detectOptionsSchema.parse({});

export const LEVEL_WINDOW_MS = DETECTOR.levelWindowMs;
export const SUSTAIN_WINDOW_MS = DETECTOR.sustainWindowMs;
export const SEASONAL_MIN_MS = DETECTOR.seasonalMinMs;
export const STUCK_MIN_SAMPLES = DETECTOR.stuckMinSamples;
/** The daily cycle and the stuck-run history look back a week, as in the detector. */
export const PROFILE_WINDOW_MS = 7 * 24 * 3_600_000;
/** Fewer points than this in the level window learn no level (the detector's MIN_LEVEL_POINTS). */
export const MIN_LEVEL_POINTS = 6;
export { MIN_PEERS };

/** A firing alert stays open while its score is above this share of the fire threshold (hysteresis). */
export const HOLD_RATIO = 0.6;

/** Fire and hold thresholds of the point score (spike, peers) and the sustained median (shift, drift). */
export function anomalyThresholds(sensitivity: Sensitivity) {
  const fire = thresholds(sensitivity);
  return { point: fire.point, sustained: fire.sustained, holdPoint: fire.point * HOLD_RATIO, holdSustained: fire.sustained * HOLD_RATIO };
}
