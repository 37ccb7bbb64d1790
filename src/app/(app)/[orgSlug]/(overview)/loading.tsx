import { OverviewSkeleton } from '@/features/overview/components/overview-skeleton';

export default function Loading() {
  return <OverviewSkeleton />;
}
