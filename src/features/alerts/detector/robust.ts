/** Robust statistics shared by the detector and the peer comparison. Pure; browser-safe. */

/** Scales a median absolute deviation to the standard deviation of a normal distribution. */
export const MAD_SCALE = 1.4826;

/** Median of the values (NaN for none); sorts a copy. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median absolute deviation around `center` (the median when omitted), scaled to a normal σ. */
export function scaledMad(values: readonly number[], center = median(values)): number {
  if (values.length === 0) return Number.NaN;
  return MAD_SCALE * median(values.map((v) => Math.abs(v - center)));
}

/**
 * Noise scale from successive differences: a level shift or a slow trend moves the median and the
 * MAD of the values, but barely the differences, so this is the sensor's own jitter.
 */
export function diffNoise(values: readonly number[]): number {
  if (values.length < 3) return Number.NaN;
  const diffs: number[] = [];
  for (let i = 1; i < values.length; i++) diffs.push(values[i]! - values[i - 1]!);
  return scaledMad(diffs) / Math.SQRT2;
}
