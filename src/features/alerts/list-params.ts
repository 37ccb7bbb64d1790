import { z } from 'zod';
import { ALERT_SEVERITIES, type AlertSeverity } from './events';
import { ALERT_STATES, type AlertState } from './schemas';

/**
 * The alerts page's filters in the URL: `?state=firing,acknowledged&severity=critical&rule=<uuid>
 * &device=<uuid>&cursor=…`. A bad parameter is dropped (a stale link still shows a list). Browser-safe.
 */
export interface AlertListParams {
  state?: AlertState[];
  severity?: AlertSeverity[];
  ruleId?: string;
  deviceId?: string;
  cursor?: string;
}

type Raw = Record<string, string | string[] | undefined>;

function first(raw: Raw, key: string): string | undefined {
  const v = raw[key];
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s ? s : undefined;
}

function list<T extends string>(raw: Raw, key: string, allowed: readonly T[]): T[] | undefined {
  const values = (first(raw, key) ?? '').split(',').map((s) => s.trim()).filter((s): s is T => (allowed as readonly string[]).includes(s));
  return values.length > 0 ? [...new Set(values)] : undefined;
}

const uuid = z.uuid();

export function parseAlertListParams(raw: Raw): AlertListParams {
  const ruleId = first(raw, 'rule');
  const deviceId = first(raw, 'device');
  const cursor = first(raw, 'cursor');
  return {
    state: list(raw, 'state', ALERT_STATES.filter((s) => s !== 'pending')),
    severity: list(raw, 'severity', ALERT_SEVERITIES),
    ruleId: ruleId && uuid.safeParse(ruleId).success ? ruleId : undefined,
    deviceId: deviceId && uuid.safeParse(deviceId).success ? deviceId : undefined,
    cursor: cursor && cursor.length <= 200 ? cursor : undefined,
  };
}

/** `?…` for a link to the alerts page (empty string without filters); stable order. */
export function alertListQuery(params: AlertListParams): string {
  const q = new URLSearchParams();
  if (params.state?.length) q.set('state', params.state.join(','));
  if (params.severity?.length) q.set('severity', params.severity.join(','));
  if (params.ruleId) q.set('rule', params.ruleId);
  if (params.deviceId) q.set('device', params.deviceId);
  if (params.cursor) q.set('cursor', params.cursor);
  const s = q.toString();
  return s ? `?${s}` : '';
}
