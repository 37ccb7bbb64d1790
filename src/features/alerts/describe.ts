import { COMPARISON_SYMBOLS, type AlertCondition, type FleetMatch, type MetricRef } from './schemas';

/** Words for rules and alerts (notifications, the alerts list). Browser-safe; never includes secrets. */

export function metricLabel(metric: MetricRef): string {
  if (typeof metric === 'string') return metric;
  if ('telemetry' in metric) return `telemetry ${metric.telemetry}`;
  return `${metric.shadow ? `${metric.shadow}:` : ''}${metric.path.join('.')}`;
}

function duration(seconds: number): string {
  if (seconds <= 0) return '';
  if (seconds % 3600 === 0) return ` for ${seconds / 3600} h`;
  if (seconds % 60 === 0) return ` for ${seconds / 60} min`;
  return ` for ${seconds} s`;
}

function matchLabel(match: FleetMatch): string {
  if (match.type === 'offline') return match.minutes > 0 ? `offline > ${match.minutes} min` : 'offline';
  if (match.type === 'stale') return 'stale';
  return `${metricLabel(match.metric)} ${COMPARISON_SYMBOLS[match.op]} ${match.value}`;
}

/** What the rule watches, e.g. "battery < 15 for 10 min (clears at 20)". */
export function describeCondition(condition: AlertCondition): string {
  switch (condition.kind) {
    case 'offline':
      return `${condition.includeStale ? 'offline or stale' : 'offline'} for more than ${condition.minutes} min`;
    case 'threshold': {
      const clear = condition.clearValue === undefined ? '' : ` (clears at ${condition.clearValue})`;
      return `${metricLabel(condition.metric)} ${COMPARISON_SYMBOLS[condition.op]} ${condition.value}${duration(condition.forSeconds)}${clear}`;
    }
    case 'fleet_share': {
      const unit = condition.measure === 'share' ? ' %' : ' devices';
      const what = condition.measure === 'share' ? 'share of devices' : 'devices';
      return `${what} ${matchLabel(condition.match)} ${COMPARISON_SYMBOLS[condition.op]} ${condition.level}${unit}${duration(condition.forSeconds)}`;
    }
    case 'anomaly':
      return `${metricLabel(condition.metric)} outside its usual band${PEER_TEXT[condition.peers]} (${condition.sensitivity} sensitivity)`;
    case 'ota_failure':
      return `OTA job failure share > ${condition.failureSharePercent} % or job aborted`;
    case 'sync_failure':
      return `sync failed ${condition.consecutive} time${condition.consecutive === 1 ? '' : 's'} in a row`;
    case 'command_timeout':
      return 'a command timed out';
  }
}

function formatValue(condition: AlertCondition, value: number): string {
  const rounded = Math.round(value * 100) / 100;
  if (condition.kind === 'offline') return `${Math.floor(value)} min`;
  if (condition.kind === 'fleet_share') return condition.measure === 'share' ? `${rounded} %` : `${rounded} devices`;
  if (condition.kind === 'ota_failure') return `${rounded} % failed`;
  if (condition.kind === 'sync_failure') return `${rounded} failures`;
  if (condition.kind === 'command_timeout') return `after ${rounded} s`;
  return String(rounded);
}

/** One line for a notification: subject, the value that decided, and the rule's condition. */
export function describeAlert(condition: AlertCondition, subject: string | null, value: number | null): string {
  const now = value === null ? '' : ` — ${formatValue(condition, value)}`;
  return `${subject ? `${subject}: ` : ''}${describeCondition(condition)}${now}`.slice(0, 500);
}

const PEER_TEXT = { off: '', group: ' or its thing group', thing_type: ' or its thing type' } as const;
