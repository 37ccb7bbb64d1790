import { Badge } from '@/components/ui/badge';
import type { AlertSeverity } from '../events';
import type { AlertRuleKind, AlertState } from '../schemas';

export const SEVERITY_LABELS: Record<AlertSeverity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };
export const STATE_LABELS: Record<AlertState, string> = { pending: 'Pending', firing: 'Firing', acknowledged: 'Acknowledged', resolved: 'Resolved' };

export const KIND_LABELS: Record<AlertRuleKind, string> = {
  offline: 'Offline / stale',
  threshold: 'Threshold',
  fleet_share: 'Fleet share',
  anomaly: 'Anomaly',
  ota_failure: 'OTA failure',
  sync_failure: 'Sync failure',
  command_timeout: 'Command timeout',
};

const SEVERITY_TONES = { critical: 'danger', warning: 'warning', info: 'brand' } as const;
const STATE_TONES = { pending: 'neutral', firing: 'danger', acknowledged: 'warning', resolved: 'success' } as const;

export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  return <Badge tone={SEVERITY_TONES[severity]}>{SEVERITY_LABELS[severity]}</Badge>;
}

export function AlertStateBadge({ state, flapping }: { state: AlertState; flapping?: boolean }) {
  return (
    <span className="inline-flex items-center gap-1" data-testid="alert-state">
      <Badge tone={STATE_TONES[state]}>{STATE_LABELS[state]}</Badge>
      {flapping ? <Badge>Flapping</Badge> : null}
    </span>
  );
}
