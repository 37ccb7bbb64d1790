/** One bar of an overview chart and its row in the values table. */
export type ChartTone = 'brand' | 'muted' | 'success' | 'warning' | 'danger';

export interface ChartRow {
  key: string;
  label: string;
  /** A short axis label where the full one does not fit (histograms). */
  short?: string;
  count: number;
  /** The device list showing these devices, or null where no filter exists. */
  href: string | null;
  /** Says what the link shows when that is not exactly the bar (e.g. "all below 20 %"). */
  linkNote?: string;
  tone: ChartTone;
}

/** SVG fill through currentColor, so the theme's tokens (light and dark) colour the bars. */
export const TONE_CLASSES: Record<ChartTone, string> = {
  brand: 'text-brand-500 dark:text-brand-400',
  muted: 'text-slate-400 dark:text-slate-500',
  success: 'text-success-500 dark:text-success-400',
  warning: 'text-warning-500 dark:text-warning-400',
  danger: 'text-danger-500 dark:text-danger-400',
};
