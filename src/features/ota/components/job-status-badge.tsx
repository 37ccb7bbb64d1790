import { Badge } from '@/components/ui/badge';
import { JOB_STATUS_LABELS, JOB_STATUS_TONES } from '../model';

export function JobStatusBadge({ status }: { status: string }) {
  return <Badge tone={JOB_STATUS_TONES[status] ?? 'neutral'}>{JOB_STATUS_LABELS[status] ?? status}</Badge>;
}
