import { z } from 'zod';

/** Options of the anomaly detector (rules store `sensitivity` and may override the rest). Browser-safe. */
export const SENSITIVITIES = ['low', 'medium', 'high'] as const;
export const sensitivitySchema = z.union([z.enum(SENSITIVITIES), z.number().min(1).max(20)]);
export type Sensitivity = z.infer<typeof sensitivitySchema>;

export const ANOMALY_KINDS = ['spike', 'level_shift', 'drift', 'stuck'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

const HOUR = 3_600_000;

export const detectOptionsSchema = z.object({
  /** low / medium / high, or the z threshold for a single point (sustained deviations use 0.45 of it). */
  sensitivity: sensitivitySchema.default('medium'),
  /** Nothing fires before the series has this much history. */
  minHistoryMs: z.number().int().min(0).default(24 * HOUR),
  /** Trailing window of the learned level and spread. */
  levelWindowMs: z.number().int().positive().default(24 * HOUR),
  /** Trailing window whose median score decides a sustained deviation (shift or drift). */
  sustainWindowMs: z.number().int().positive().default(HOUR),
  /** History needed before the daily cycle is learned (and used only when it explains the data). */
  seasonalMinMs: z.number().int().positive().default(3 * 24 * HOUR),
  /** Anomalous points closer than this form one window. */
  mergeGapMs: z.number().int().min(0).default(HOUR / 2),
  /** A deviation lasting longer than this becomes the new normal (the level is learned again). */
  adaptAfterMs: z.number().int().positive().default(24 * HOUR),
  /** Windows this short (or of at most 4 samples) are spikes. */
  spikeMaxMs: z.number().int().positive().default(20 * 60_000),
  /** A run of equal values this long (and much longer than any run in the history) is a stuck sensor. */
  stuckMinSamples: z.number().int().min(3).default(10),
  /** Values within this of the run's first value count as equal (default: 5 % of the noise). */
  stuckTolerance: z.number().min(0).optional(),
});
export type DetectOptions = z.input<typeof detectOptionsSchema>;
export type ResolvedDetectOptions = z.output<typeof detectOptionsSchema>;

/** Point and sustained z thresholds of a sensitivity (tuned on the training seed of detect:eval). */
export function thresholds(sensitivity: Sensitivity): { point: number; sustained: number } {
  if (typeof sensitivity === 'number') return { point: sensitivity, sustained: sensitivity * 0.45 };
  return { low: { point: 7, sustained: 3 }, medium: { point: 5, sustained: 2.25 }, high: { point: 4, sustained: 1.75 } }[sensitivity];
}
