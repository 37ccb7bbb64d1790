import { Badge } from '@/components/ui/badge';
import type { DeliveryStatus } from '../schemas';
import { DELIVERY_STATUS_LABELS, DELIVERY_STATUS_TONES } from './labels';

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return (
    <span data-testid="delivery-status" data-status={status}>
      <Badge tone={DELIVERY_STATUS_TONES[status]}>{DELIVERY_STATUS_LABELS[status]}</Badge>
    </span>
  );
}
