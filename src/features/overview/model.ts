import type { DeviceFilter } from '@/features/devices/filters';

/** The overview's DTO and its fixed shapes; plain JSON, safe to import in the browser. */

export const OVERVIEW_LIMITS = { firmware: 8, types: 8, groups: 10, jobs: 5, commands: 8 } as const;
export const LOW_BATTERY_PERCENT = 20;

/** Battery in percent: ten buckets [0,10) … [80,90) and [90,100] (width_bucket 0–100 by 10). */
export const BATTERY_BUCKETS = Array.from({ length: 10 }, (_, i) => ({
  from: i * 10,
  to: (i + 1) * 10,
  label: `${i * 10}–${(i + 1) * 10} %`,
}));

/** Signal in dBm: −100 to −30 by 10, the outer buckets open-ended (weaker than −90, −40 and stronger). */
export const SIGNAL_BUCKETS = Array.from({ length: 7 }, (_, i) => {
  const from = -100 + i * 10;
  const to = from + 10;
  const label = i === 0 ? `< ${to}` : i === 6 ? `≥ ${from}` : `${from} to ${to}`;
  return { from, to, label: `${label} dBm`.replace(/-/g, '−') };
});

export interface DeviceCounts {
  total: number;
  online: number;
  offline: number;
  stale: number;
  unknown: number;
}

export interface DistributionItem {
  key: string;
  label: string;
  count: number;
  /** The device-list filter that shows exactly these devices. */
  filter: DeviceFilter;
}

export interface Distribution {
  items: DistributionItem[];
  /** Everything past the top N, as one bar (no single filter shows it). */
  other: { count: number; kinds: number } | null;
  /** Devices without a value (no firmware reported, no thing type). */
  missing: number;
  total: number;
}

export interface GroupDistribution {
  /** Devices per group; a device in two groups counts in both. */
  items: DistributionItem[];
  moreGroups: number;
  ungrouped: number;
}

export interface HistogramBucket {
  from: number;
  to: number;
  label: string;
  count: number;
  /**
   * The nearest device-list filter: battery has only `batteryBelow`, so a bar links to every device
   * below its upper edge; signal strength has no filter (null).
   */
  filter: DeviceFilter | null;
}

export interface Histogram {
  buckets: HistogramBucket[];
  /** Devices that report no value. */
  missing: number;
}

export interface ActiveOtaJob {
  id: string;
  jobId: string;
  status: 'IN_PROGRESS' | 'SCHEDULED';
  description: string | null;
  counts: {
    queued: number;
    inProgress: number;
    succeeded: number;
    failed: number;
    rejected: number;
    canceled: number;
    removed: number;
    timedOut: number;
  };
  total: number;
  lastUpdatedAt: string | null;
}

export interface RecentCommand {
  id: string;
  deviceId: string;
  deviceName: string;
  status: 'pending' | 'delivered' | 'converged' | 'timed_out' | 'failed';
  shadowName: string | null;
  desiredKeys: string[];
  error: string | null;
  createdAt: string;
  resolvedAt: string | null;
}

export interface FleetOverview {
  generatedAt: string;
  devices: DeviceCounts;
  lowBattery: { threshold: number; count: number };
  firmware: Distribution;
  thingTypes: Distribution;
  groups: GroupDistribution;
  battery: Histogram;
  signal: Histogram;
  otaJobs: { active: number; items: ActiveOtaJob[] };
  commands: RecentCommand[];
}
