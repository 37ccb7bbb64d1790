import { Badge } from '@/components/ui/badge';
import type { DeviceStatusFilter } from '../filters';

const STATUS: Record<DeviceStatusFilter, { tone: 'success' | 'danger' | 'warning' | 'neutral'; label: string }> = {
  online: { tone: 'success', label: 'Online' },
  offline: { tone: 'danger', label: 'Offline' },
  stale: { tone: 'warning', label: 'Stale' },
  unknown: { tone: 'neutral', label: 'Unknown' },
};

export const STATUS_LABELS: Record<DeviceStatusFilter, string> = {
  online: STATUS.online.label,
  offline: STATUS.offline.label,
  stale: STATUS.stale.label,
  unknown: STATUS.unknown.label,
};

export function DeviceStatusBadge({ status }: { status: DeviceStatusFilter }) {
  const s = STATUS[status];
  return (
    <span data-testid="device-status" data-status={status}>
      <Badge tone={s.tone}>{s.label}</Badge>
    </span>
  );
}
