import type { z } from 'zod';
import { parseDeviceFilter, type DeviceFilter } from '@/features/devices/filters';
import type { AlertSeverity } from '../events';
import { createRuleSchema, type AlertCondition, type AlertRuleKind, type AnomalyPeerMode, type Comparison, type CreateRuleInput, type MetricRef } from '../schemas';

/**
 * The rule editor's values: every field as the text the member typed, turned into the action's
 * input and checked with the same schema the service uses; issues keyed by dotted path
 * (`condition.value`, `filter.group`) so each shows under its field. Browser-safe.
 */
export interface RuleFormValues {
  name: string;
  description: string;
  severity: AlertSeverity;
  enabled: boolean;
  channelIds: string[];
  kind: AlertRuleKind;
  // Device filter (the device list's URL fields).
  q: string;
  group: string;
  type: string;
  firmware: string;
  status: string[];
  attr: string;
  // Offline.
  minutes: string;
  includeStale: boolean;
  // Metric (threshold, anomaly, fleet share by threshold).
  metric: 'battery' | 'rssi' | 'temperature' | 'path' | 'telemetry';
  shadow: string;
  path: string;
  /** A live-data metric name (metric 'telemetry'). */
  telemetryMetric: string;
  op: Comparison;
  value: string;
  clearValue: string;
  forMinutes: string;
  // Fleet share.
  matchType: 'offline' | 'stale' | 'threshold';
  /** The fleet level's comparison (`op` is the threshold match's). */
  fleetOp: Comparison;
  matchMinutes: string;
  measure: 'count' | 'share';
  level: string;
  clearLevel: string;
  // Anomaly.
  sensitivity: 'low' | 'medium' | 'high';
  minHistoryHours: string;
  peers: AnomalyPeerMode;
  // Operations.
  failureSharePercent: string;
  consecutive: string;
}

export const EMPTY_RULE_VALUES: RuleFormValues = {
  name: '',
  description: '',
  severity: 'warning',
  enabled: true,
  channelIds: [],
  kind: 'offline',
  q: '',
  group: '',
  type: '',
  firmware: '',
  status: [],
  attr: '',
  minutes: '10',
  includeStale: false,
  metric: 'battery',
  shadow: '',
  path: '',
  telemetryMetric: '',
  op: 'lt',
  value: '',
  clearValue: '',
  forMinutes: '0',
  matchType: 'offline',
  fleetOp: 'gt',
  matchMinutes: '0',
  measure: 'share',
  level: '',
  clearLevel: '',
  sensitivity: 'medium',
  minHistoryHours: '24',
  peers: 'off',
  failureSharePercent: '10',
  consecutive: '3',
};

const text = (n: number | undefined) => (n === undefined ? '' : String(n));
const minutes = (seconds: number) => String(Math.round((seconds / 60) * 100) / 100);

function metricValues(metric: MetricRef): Pick<RuleFormValues, 'metric' | 'shadow' | 'path' | 'telemetryMetric'> {
  if (typeof metric === 'string') return { metric, shadow: '', path: '', telemetryMetric: '' };
  if ('telemetry' in metric) return { metric: 'telemetry', shadow: '', path: '', telemetryMetric: metric.telemetry };
  return { metric: 'path', shadow: metric.shadow ?? '', path: metric.path.join('.'), telemetryMetric: '' };
}

/** A stored rule as form values (edit). */
export function ruleToValues(rule: { name: string; description: string | null; severity: AlertSeverity; enabled: boolean; channelIds: string[]; filter: DeviceFilter; condition: AlertCondition }): RuleFormValues {
  const f = rule.filter;
  const v: RuleFormValues = {
    ...EMPTY_RULE_VALUES,
    name: rule.name,
    description: rule.description ?? '',
    severity: rule.severity,
    enabled: rule.enabled,
    channelIds: rule.channelIds,
    kind: rule.condition.kind,
    q: f.q ?? '',
    group: f.group ?? '',
    type: f.type ?? '',
    firmware: f.firmware ?? '',
    status: f.status ?? [],
    attr: (f.attr ?? []).map((a) => `${a.key}=${a.value}`).join(', '),
  };
  const c = rule.condition;
  switch (c.kind) {
    case 'offline':
      return { ...v, minutes: String(c.minutes), includeStale: c.includeStale };
    case 'threshold':
      return { ...v, ...metricValues(c.metric), op: c.op, value: String(c.value), clearValue: text(c.clearValue), forMinutes: minutes(c.forSeconds) };
    case 'fleet_share': {
      const m = c.match;
      const match =
        m.type === 'threshold' ? { ...metricValues(m.metric), op: m.op, value: String(m.value) } : m.type === 'offline' ? { matchMinutes: String(m.minutes) } : {};
      return { ...v, ...match, matchType: m.type, fleetOp: c.op, measure: c.measure, level: String(c.level), clearLevel: text(c.clearLevel), forMinutes: minutes(c.forSeconds) };
    }
    case 'anomaly':
      return { ...v, ...metricValues(c.metric), sensitivity: c.sensitivity, minHistoryHours: String(c.minHistoryHours), peers: c.peers, forMinutes: minutes(c.forSeconds) };
    case 'ota_failure':
      return { ...v, failureSharePercent: String(c.failureSharePercent) };
    case 'sync_failure':
      return { ...v, consecutive: String(c.consecutive) };
    case 'command_timeout':
      return v;
  }
}

/** A number field: empty stays undefined (the schema then says it is required), anything else is Number(). */
function num(s: string): number | undefined {
  return s.trim() === '' ? undefined : Number(s);
}

function metricInput(v: RuleFormValues): unknown {
  if (v.metric === 'telemetry') return { telemetry: v.telemetryMetric };
  if (v.metric !== 'path') return v.metric;
  return { ...(v.shadow.trim() ? { shadow: v.shadow.trim() } : {}), path: v.path };
}

function seconds(m: string): number | undefined {
  const n = num(m);
  return n === undefined ? 0 : Math.round(n * 60);
}

function conditionInput(v: RuleFormValues): unknown {
  switch (v.kind) {
    case 'offline':
      return { kind: 'offline', minutes: num(v.minutes), includeStale: v.includeStale };
    case 'threshold':
      return { kind: 'threshold', metric: metricInput(v), op: v.op, value: num(v.value), clearValue: num(v.clearValue), forSeconds: seconds(v.forMinutes) };
    case 'fleet_share': {
      const match =
        v.matchType === 'threshold'
          ? { type: 'threshold', metric: metricInput(v), op: v.op, value: num(v.value) }
          : v.matchType === 'offline'
            ? { type: 'offline', minutes: num(v.matchMinutes) ?? 0 }
            : { type: 'stale' };
      return { kind: 'fleet_share', match, measure: v.measure, op: v.fleetOp, level: num(v.level), clearLevel: num(v.clearLevel), forSeconds: seconds(v.forMinutes) };
    }
    case 'anomaly':
      return { kind: 'anomaly', metric: metricInput(v), sensitivity: v.sensitivity, minHistoryHours: num(v.minHistoryHours), peers: v.peers, forSeconds: seconds(v.forMinutes) };
    case 'ota_failure':
      return { kind: 'ota_failure', failureSharePercent: num(v.failureSharePercent) };
    case 'sync_failure':
      return { kind: 'sync_failure', consecutive: num(v.consecutive) };
    case 'command_timeout':
      return { kind: 'command_timeout' };
  }
}

export type FieldIssues = Record<string, string[]>;

function issuesByPath(error: z.ZodError): FieldIssues {
  const out: FieldIssues = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || 'form';
    (out[key] ??= []).push(issueMessage(issue));
  }
  return out;
}

/** Zod's default words for a number out of range or missing, as a form would say them. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.expected === 'number') return 'Enter a number.';
  if (issue.code === 'too_small' && issue.origin === 'number') return `Enter ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}.`;
  if (issue.code === 'too_big' && issue.origin === 'number') return `Enter ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}.`;
  return issue.message;
}

/** The action's input, or the issues to show (same schema as the service). */
export function valuesToInput(v: RuleFormValues): { ok: true; input: CreateRuleInput } | { ok: false; issues: FieldIssues } {
  const params = new URLSearchParams();
  if (v.q.trim()) params.set('q', v.q);
  if (v.group.trim()) params.set('group', v.group);
  if (v.type.trim()) params.set('type', v.type);
  if (v.firmware.trim()) params.set('firmware', v.firmware);
  if (v.status.length) params.set('status', v.status.join(','));
  for (const pair of v.attr.split(',').map((s) => s.trim()).filter(Boolean)) params.append('attr', pair);
  const { filter, invalid } = parseDeviceFilter(params);
  const parsed = createRuleSchema.safeParse({
    name: v.name,
    description: v.description.trim() ? v.description : undefined,
    severity: v.severity,
    enabled: v.enabled,
    channelIds: v.channelIds,
    filter,
    condition: conditionInput(v),
  });
  const issues = parsed.success ? {} : issuesByPath(parsed.error);
  for (const key of invalid) (issues[`filter.${key}`] ??= []).push(key === 'attr' ? 'Use key=value pairs, separated by commas.' : 'This value is not valid.');
  if (!parsed.success || invalid.length > 0) return { ok: false, issues };
  return { ok: true, input: parsed.data };
}
