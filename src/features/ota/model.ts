/**
 * AWS IoT Jobs vocabulary and the rollout defaults Fleetline proposes; safe to import in the browser.
 */
export const JOB_STATUSES = ['IN_PROGRESS', 'SCHEDULED', 'COMPLETED', 'CANCELED', 'DELETION_IN_PROGRESS'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const EXECUTION_STATUSES = ['QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED', 'REMOVED', 'CANCELED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export type ExecutionCounts = Record<ExecutionStatus, number>;

/** Jobs whose executions can still change: they are refreshed live and can be canceled. */
export const ACTIVE_JOB_STATUSES: readonly string[] = ['IN_PROGRESS', 'SCHEDULED'];

export const JOB_STATUS_LABELS: Record<string, string> = {
  IN_PROGRESS: 'In progress',
  SCHEDULED: 'Scheduled',
  COMPLETED: 'Completed',
  CANCELED: 'Canceled',
  DELETION_IN_PROGRESS: 'Deleting',
};

export const JOB_STATUS_TONES: Record<string, 'brand' | 'success' | 'warning' | 'danger' | 'neutral'> = {
  IN_PROGRESS: 'brand',
  SCHEDULED: 'neutral',
  COMPLETED: 'success',
  CANCELED: 'warning',
  DELETION_IN_PROGRESS: 'danger',
};

export const EXECUTION_STATUS_LABELS: Record<ExecutionStatus, string> = {
  QUEUED: 'Queued',
  IN_PROGRESS: 'In progress',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  TIMED_OUT: 'Timed out',
  REJECTED: 'Rejected',
  REMOVED: 'Removed',
  CANCELED: 'Canceled',
};

/** One colour per execution status, shared by the progress bar, the chart and the legend (both themes). */
export const EXECUTION_STATUS_COLORS: Record<ExecutionStatus, string> = {
  QUEUED: '#94a3b8',
  IN_PROGRESS: '#0ea5e9',
  SUCCEEDED: '#10b981',
  FAILED: '#f43f5e',
  TIMED_OUT: '#f59e0b',
  REJECTED: '#f97316',
  REMOVED: '#a8a29e',
  CANCELED: '#6366f1',
};

/** Executions that reached a result (AWS "executed things" for abort criteria). */
export const FINISHED_STATUSES: readonly ExecutionStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED', 'REMOVED', 'CANCELED'];

export function totalExecutions(c: ExecutionCounts): number {
  return EXECUTION_STATUSES.reduce((sum, s) => sum + c[s], 0);
}

export function finishedExecutions(c: ExecutionCounts): number {
  return FINISHED_STATUSES.reduce((sum, s) => sum + c[s], 0);
}

/**
 * What the wizard proposes: a small canary (5 things a minute) that doubles after every 5
 * successes up to 100 a minute; abort at 10 % failures once 10 things ran; 60 min to finish an
 * update; two retries of a failed or timed-out update.
 */
export const ROLLOUT_DEFAULTS = {
  rolloutType: 'exponential',
  maximumPerMinute: 100,
  baseRatePerMinute: 5,
  incrementFactor: 2,
  increaseCriterion: 'succeeded',
  increaseThreshold: 5,
} as const;

export const ABORT_DEFAULTS = {
  abortEnabled: true,
  abortFailureType: 'ALL',
  abortThresholdPercentage: 10,
  abortMinExecutedThings: 10,
} as const;

export const TIMEOUT_DEFAULTS = { inProgressTimeoutMinutes: 60, retryFailed: 2, retryTimedOut: 2 } as const;

export const ABORT_FAILURE_TYPES = ['ALL', 'FAILED', 'REJECTED', 'TIMED_OUT'] as const;
export const ABORT_FAILURE_LABELS: Record<(typeof ABORT_FAILURE_TYPES)[number], string> = {
  ALL: 'failed, rejected or timed out',
  FAILED: 'failed',
  REJECTED: 'rejected',
  TIMED_OUT: 'timed out',
};

/** AWS bounds (CreateJob API reference). */
export const LIMITS = {
  jobId: /^[a-zA-Z0-9_-]{1,64}$/,
  documentChars: 32_768,
  descriptionChars: 2028,
  ratePerMinute: { min: 1, max: 1000 },
  incrementFactor: { min: 1.1, max: 5 },
  increaseThreshold: { min: 1, max: 1_000_000 },
  thresholdPercentage: { min: 0.01, max: 100 },
  minExecutedThings: { min: 1, max: 1_000_000 },
  timeoutMinutes: { min: 1, max: 10_080 },
  retries: { min: 0, max: 10 },
  thingTargets: 100,
  groupTargets: 10,
  reasonCode: /^[A-Z0-9_]{1,128}$/,
  commentChars: 2028,
} as const;
