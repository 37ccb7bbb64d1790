import { Badge } from '@/components/ui/badge';
import type { IntegrationStatus } from '../queries';

const STATUS: Record<IntegrationStatus, { tone: 'neutral' | 'success' | 'warning' | 'danger'; label: string }> = {
  pending: { tone: 'neutral', label: 'Pending' },
  active: { tone: 'success', label: 'Active' },
  paused: { tone: 'warning', label: 'Paused' },
  error: { tone: 'danger', label: 'Error' },
};

export function IntegrationStatusBadge({ status }: { status: IntegrationStatus }) {
  const s = STATUS[status];
  return <Badge tone={s.tone}>{s.label}</Badge>;
}
