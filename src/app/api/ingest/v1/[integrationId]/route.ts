import { liveDataHttpDeps } from '@/features/live-data/app-deps';
import { handleIngestRequest } from '@/features/live-data/http';

export const dynamic = 'force-dynamic';

/** AWS IoT Rules' HTTP action for one integration: telemetry, presence and destination confirmation. */
export async function POST(request: Request, { params }: { params: Promise<{ integrationId: string }> }) {
  const { integrationId } = await params;
  return handleIngestRequest(liveDataHttpDeps(), request, integrationId);
}
