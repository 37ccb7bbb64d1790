import type { OtaJobDetailDto, JobTarget } from '../queries';
import { ABORT_FAILURE_LABELS } from '../model';

/** Display helpers for the OTA pages (relative times and numbers: lib/format). */
export { number, relativeTime } from '@/lib/format';

export function targetsLabel(targets: JobTarget[]): string {
  if (targets.length === 0) return 'No targets';
  const groups = targets.filter((t) => t.kind === 'group');
  const things = targets.filter((t) => t.kind === 'thing');
  const parts: string[] = [];
  if (groups.length === 1) parts.push(`group ${groups[0]!.name}`);
  else if (groups.length > 1) parts.push(`${groups.length} groups`);
  if (things.length === 1) parts.push(things[0]!.name);
  else if (things.length > 1) parts.push(`${things.length} things`);
  return parts.join(' + ');
}

export function rolloutLabel(config: OtaJobDetailDto['rolloutConfig']): string {
  if (!config) return 'AWS default (up to 1,000 things a minute)';
  const exp = config.exponentialRate;
  if (exp) {
    const c = exp.rateIncreaseCriteria;
    const after = c.numberOfSucceededThings !== undefined ? `${c.numberOfSucceededThings} succeed` : `${c.numberOfNotifiedThings} are notified`;
    return `Exponential: ${exp.baseRatePerMinute} things/min, ×${exp.incrementFactor} each time ${after}${config.maximumPerMinute ? `, up to ${config.maximumPerMinute}/min` : ''}`;
  }
  return `Constant: ${config.maximumPerMinute ?? 1000} things/min`;
}

export function abortLabel(config: OtaJobDetailDto['abortConfig']): string {
  const list = config?.criteriaList ?? [];
  if (list.length === 0) return 'None: the rollout continues whatever fails';
  return list
    .map((c) => `Cancel when ${c.thresholdPercentage} % of things ${ABORT_FAILURE_LABELS[c.failureType as keyof typeof ABORT_FAILURE_LABELS] ?? c.failureType.toLowerCase()}, once ${c.minNumberOfExecutedThings} ran`)
    .join('; ');
}

export function timeoutLabel(config: OtaJobDetailDto['timeoutConfig']): string {
  const m = config?.inProgressTimeoutInMinutes;
  return m ? `${m} min in progress, then TIMED_OUT` : 'None: an update may run forever';
}

export function retryLabel(config: OtaJobDetailDto['retryConfig']): string {
  const list = config?.criteriaList ?? [];
  if (list.length === 0) return 'None';
  return list.map((c) => `${c.numberOfRetries}× when ${c.failureType === 'ALL' ? 'failed or timed out' : c.failureType.toLowerCase().replace('_', ' ')}`).join(', ');
}
