/**
 * What alert evaluation hands to notifications: one event per alert that fired or resolved in an
 * evaluation. Evaluation (alerts/evaluate) produces them; notifications (features/notifications)
 * route them to the rule's channels and group storms into digests. Browser-safe (types only).
 */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export interface AlertEvent {
  type: 'fired' | 'resolved';
  alertId: string;
  orgId: string;
  ruleId: string;
  ruleName: string;
  severity: AlertSeverity;
  /** Null for fleet-level rules (fleet share, operations on a job or an integration). */
  deviceId: string | null;
  thingName: string | null;
  /** What the alert is about in words, e.g. "battery 12 % (below 15 % for 10 min)"; never a secret. */
  summary: string;
  /** The value that decided the transition, when there is one. */
  value: number | null;
  /** ISO time of the transition. */
  at: string;
  /** Notification channels the rule routes to (notification_channels.id). */
  channelIds: string[];
}
