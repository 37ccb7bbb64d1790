/** The anomaly detector's public surface (pure, browser-safe). */
export { detect, type AnomalyWindow, type DetectModel, type DetectResult, type ScoredPoint, type SeriesPoint } from './detect';
export { peerOutliers, type PeerOutlier } from './peers';
export { ANOMALY_KINDS, SENSITIVITIES, detectOptionsSchema, sensitivitySchema, thresholds, type AnomalyKind, type DetectOptions, type Sensitivity } from './schemas';
export { generateLabelledSet, generateSeries, prng, type AnomalyLabel, type LabelledSeries } from './synthetic';
