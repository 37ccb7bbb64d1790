import { z } from 'zod';
import { deviceFilterSchema } from '@/features/devices/filters';
import type { OrgRole } from '@/lib/roles';
import { ALERT_SEVERITIES } from './events';

/**
 * Alert rules and their inputs, shared by the rule editor and the actions. Browser-safe. A rule's
 * condition is a union on `kind`; the duration a condition must hold (`forSeconds`) lives in the
 * conditions that have one and is copied to alert_rules.for_seconds for the evaluation's SQL.
 */

/** Operators and up write rules, acknowledge and snooze; viewers read. */
export const ALERTS_WRITE_ROLE: OrgRole = 'operator';

export const ALERT_RULE_KINDS = ['offline', 'threshold', 'fleet_share', 'anomaly', 'ota_failure', 'sync_failure', 'command_timeout'] as const;
export type AlertRuleKind = (typeof ALERT_RULE_KINDS)[number];
export const ALERT_STATES = ['pending', 'firing', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
/** States of an alert that is still open (not resolved). */
export const OPEN_ALERT_STATES = ['pending', 'firing', 'acknowledged'] as const satisfies readonly AlertState[];

export const COMPARISONS = ['lt', 'lte', 'gt', 'gte'] as const;
export type Comparison = (typeof COMPARISONS)[number];
export const COMPARISON_SYMBOLS: Record<Comparison, string> = { lt: '<', lte: '≤', gt: '>', gte: '≥' };

/** Cached device columns a threshold can use directly. */
export const DEVICE_METRICS = ['battery', 'rssi', 'temperature'] as const;
export type DeviceMetric = (typeof DEVICE_METRICS)[number];

const MAX_DURATION_SECONDS = 7 * 24 * 3600;
const forSeconds = z.number().int().min(0).max(MAX_DURATION_SECONDS).default(0);
const finite = z.number().finite();

/** A JSON key of a reported document: AWS shadow keys, no dots (dots separate path segments). */
const pathSegment = z.string().regex(/^[A-Za-z0-9_$:@-]{1,64}$/, 'Path segments use letters, digits and _$:@- (at most 64).');
/** A shadow name as AWS allows it. */
const shadowName = z.string().regex(/^[a-zA-Z0-9:_-]{1,64}$/, 'Shadow names use letters, digits and :_- (at most 64).');

/** A numeric value under `reported` of the classic shadow, or of a named shadow: `temperature`, `sensors.t1`. */
export const reportedPathSchema = z.object({
  shadow: shadowName.optional(),
  // Typed as dotted text; stored (and re-read by the evaluation) as its segments.
  path: z
    .union([z.string().trim().min(1).max(256).transform((p) => p.split('.')), z.array(z.string())])
    .pipe(z.array(pathSegment).min(1).max(8)),
});
export type ReportedPath = z.infer<typeof reportedPathSchema>;

/**
 * A metric of Fleetline's telemetry store (live data): its latest point, when one arrived within
 * TELEMETRY_FRESH_MINUTES. Same name rule as the store's (STORE_METRIC_PATTERN).
 */
export const telemetryMetricSchema = z.object({
  telemetry: z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'Metric names start with a letter and use letters, digits and _.- (at most 64).'),
});
export type TelemetryMetricRef = z.infer<typeof telemetryMetricSchema>;
/** How recent a telemetry point must be for a threshold to compare it (older: no value, the rule skips the device). */
export const TELEMETRY_FRESH_MINUTES = 15;

/** What the anomaly detector watches: a cached column or a reported path. */
const deviceMetricSchema = z.union([z.enum(DEVICE_METRICS), reportedPathSchema]);
export type AnomalyMetricRef = z.infer<typeof deviceMetricSchema>;
/** What a threshold compares: a cached column, a reported path or a live-data telemetry metric. */
export const metricSchema = z.union([telemetryMetricSchema, z.enum(DEVICE_METRICS), reportedPathSchema]);
export type MetricRef = z.infer<typeof metricSchema>;

/** True when `clear` lies on the side of `value` where the condition is false (or equals it for strict comparisons). */
export function clearLevelIsValid(op: Comparison, value: number, clear: number): boolean {
  if (op === 'lt') return clear >= value;
  if (op === 'lte') return clear > value;
  if (op === 'gt') return clear <= value;
  return clear < value;
}

const thresholdFields = {
  metric: metricSchema,
  op: z.enum(COMPARISONS),
  value: finite,
  /** Hysteresis: once firing, the alert resolves only when the value reaches this level. */
  clearValue: finite.optional(),
};

function checkClear(c: { op: Comparison; value: number; clearValue?: number }, ctx: z.RefinementCtx) {
  if (c.clearValue !== undefined && !clearLevelIsValid(c.op, c.value, c.clearValue)) {
    ctx.addIssue({
      code: 'custom',
      path: ['clearValue'],
      message: c.op.startsWith('l') ? 'The clear level must be above the alert level.' : 'The clear level must be below the alert level.',
    });
  }
}

export const offlineConditionSchema = z.object({
  kind: z.literal('offline'),
  minutes: z.number().int().min(1).max(MAX_DURATION_SECONDS / 60),
  /** Also alert on devices that are connected but silent (status stale) for as long. */
  includeStale: z.boolean().default(false),
});

export const thresholdConditionSchema = z.object({ kind: z.literal('threshold'), ...thresholdFields, forSeconds }).superRefine(checkClear);

/** What a fleet-share rule counts among the devices of its filter. */
export const fleetMatchSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('offline'), minutes: z.number().int().min(0).max(MAX_DURATION_SECONDS / 60).default(0) }),
  z.object({ type: z.literal('stale') }),
  z.object({ type: z.literal('threshold'), metric: metricSchema, op: z.enum(COMPARISONS), value: finite }),
]);
export type FleetMatch = z.infer<typeof fleetMatchSchema>;

export const fleetShareConditionSchema = z
  .object({
    kind: z.literal('fleet_share'),
    match: fleetMatchSchema,
    measure: z.enum(['count', 'share']),
    op: z.enum(COMPARISONS),
    /** A device count, or a percentage (0–100) of the devices in the filter. */
    level: z.number().min(0),
    clearLevel: z.number().min(0).optional(),
    forSeconds,
  })
  .superRefine((c, ctx) => {
    if (c.measure === 'share' && c.level > 100) ctx.addIssue({ code: 'custom', path: ['level'], message: 'A share is at most 100 %.' });
    if (c.clearLevel !== undefined && !clearLevelIsValid(c.op, c.level, c.clearLevel)) {
      ctx.addIssue({ code: 'custom', path: ['clearLevel'], message: 'The clear level must be on the other side of the alert level.' });
    }
  });

export const ANOMALY_PEER_MODES = ['off', 'group', 'thing_type'] as const;
export type AnomalyPeerMode = (typeof ANOMALY_PEER_MODES)[number];

export const anomalyConditionSchema = z.object({
  kind: z.literal('anomaly'),
  metric: deviceMetricSchema,
  /** Higher = more alerts (a narrower band). */
  sensitivity: z.enum(['low', 'medium', 'high']).default('medium'),
  minHistoryHours: z.number().int().min(1).max(24 * 30).default(24),
  /** Also compare each device with its peers: the devices of the rule in the same thing group, or of the same thing type. */
  peers: z.enum(ANOMALY_PEER_MODES).default('off'),
  forSeconds,
});

/** An OTA job's failure share (failed, timed out, rejected of all executions) above the level, or the job aborted. */
export const otaFailureConditionSchema = z.object({
  kind: z.literal('ota_failure'),
  failureSharePercent: z.number().min(0).max(100),
});

export const syncFailureConditionSchema = z.object({
  kind: z.literal('sync_failure'),
  consecutive: z.number().int().min(1).max(100),
});

export const commandTimeoutConditionSchema = z.object({ kind: z.literal('command_timeout') });

export const alertConditionSchema = z.discriminatedUnion('kind', [
  offlineConditionSchema,
  thresholdConditionSchema,
  fleetShareConditionSchema,
  anomalyConditionSchema,
  otaFailureConditionSchema,
  syncFailureConditionSchema,
  commandTimeoutConditionSchema,
]);
export type AlertCondition = z.infer<typeof alertConditionSchema>;
export type ThresholdCondition = z.infer<typeof thresholdConditionSchema>;
export type FleetShareCondition = z.infer<typeof fleetShareConditionSchema>;
export type AnomalyCondition = z.infer<typeof anomalyConditionSchema>;

/** The condition's duration, the value stored in alert_rules.for_seconds. */
export function conditionForSeconds(condition: AlertCondition): number {
  return 'forSeconds' in condition ? condition.forSeconds : 0;
}

const ruleFields = {
  name: z.string().trim().min(1, 'Enter a name.').max(120),
  description: z.string().trim().max(2000).optional(),
  severity: z.enum(ALERT_SEVERITIES).default('warning'),
  filter: deviceFilterSchema.default({}),
  condition: alertConditionSchema,
  enabled: z.boolean().default(true),
  channelIds: z.array(z.uuid()).max(20).default([]),
};

export const createRuleSchema = z.object(ruleFields);
export type CreateRuleInput = z.infer<typeof createRuleSchema>;

export const ruleRefSchema = z.object({ ruleId: z.uuid() });

export const updateRuleSchema = z.object({ ruleId: z.uuid(), ...ruleFields });
export type UpdateRuleInput = z.infer<typeof updateRuleSchema>;

export const setRuleEnabledSchema = z.object({ ruleId: z.uuid(), enabled: z.boolean() });

/** A snooze ends at a time in the future, at most 30 days ahead; null lifts it. */
const snoozeUntil = z.coerce
  .date()
  .nullable()
  .refine((d) => d === null || d.getTime() <= Date.now() + 30 * 24 * 3600_000, 'A snooze lasts at most 30 days.');

export const snoozeRuleSchema = z.object({ ruleId: z.uuid(), until: snoozeUntil });
export const snoozeDeviceSchema = z.object({ ruleId: z.uuid(), deviceId: z.uuid(), until: snoozeUntil });
export const acknowledgeAlertSchema = z.object({ alertId: z.uuid() });

export const listAlertsSchema = z.object({
  state: z.array(z.enum(ALERT_STATES)).min(1).optional(),
  severity: z.array(z.enum(ALERT_SEVERITIES)).min(1).optional(),
  ruleId: z.uuid().optional(),
  deviceId: z.uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListAlertsInput = z.input<typeof listAlertsSchema>;
