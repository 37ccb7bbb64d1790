import type { ConfirmDeps } from './confirm';
import { confirmDestination, isDestinationConfirmation } from './confirm';
import { ingest, readBounded, type IngestDeps, type IngestResponse } from './ingest';

/** The ingest route's whole behaviour, for `app/api/ingest/v1/[integrationId]/route.ts`. */
export interface LiveDataHttpDeps {
  ingest: IngestDeps;
  confirm: ConfirmDeps;
  /** Limits unauthenticated confirmation posts per integration: null when allowed, else the 429 answer. */
  limitConfirmation?: (integrationId: string) => Promise<Response | null>;
}

const CONFIRMATION_MAX_BYTES = 16 * 1024;

function json({ status, body }: IngestResponse): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

export async function handleIngestRequest(deps: LiveDataHttpDeps, request: Request, integrationId: string): Promise<Response> {
  if (isDestinationConfirmation(request.headers)) {
    const limited = await deps.limitConfirmation?.(integrationId);
    if (limited) return limited;
    const text = await readBounded(request.body, CONFIRMATION_MAX_BYTES);
    let body: unknown = null;
    try {
      body = text === null ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    return json(await confirmDestination(deps.confirm, integrationId, body));
  }
  return json(await ingest(deps.ingest, { integrationId, headers: request.headers, readBody: (max) => readBounded(request.body, max) }));
}
