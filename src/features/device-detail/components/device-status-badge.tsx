import { Badge } from '@/components/ui/badge';
import type { DeviceStatus } from '../queries';

const STATUS: Record<DeviceStatus, { tone: 'neutral' | 'success' | 'warning' | 'danger'; label: string }> = {
  online: { tone: 'success', label: 'Online' },
  stale: { tone: 'warning', label: 'Stale' },
  offline: { tone: 'danger', label: 'Offline' },
  unknown: { tone: 'neutral', label: 'Unknown' },
};

export function DeviceStatusBadge({ status }: { status: DeviceStatus }) {
  const s = STATUS[status];
  return (
    <span data-testid="device-status" data-status={status}>
      <Badge tone={s.tone}>{s.label}</Badge>
    </span>
  );
}
