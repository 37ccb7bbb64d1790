import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { ALERTS_EVALUATE_SLOT_SECONDS, enqueueAlertEvaluation } from '@/lib/jobs/queues';
import type { IngestWrite } from './ingest';

/**
 * Alert evaluations requested by live data (issue 12: "evaluation after every batch"), throttled per
 * organization in this process: a flood of batches costs one queue insert per window, plus one
 * trailing request at the window's end so the last batch is not left to the minute tick. The queue
 * debounces again across processes (enqueueAlertEvaluation).
 */
export interface AlertRequester {
  /** Never throws and never waits on more than one send. */
  request(orgId: string): Promise<void>;
}

interface OrgState {
  lastSentAt: number;
  trailing: ReturnType<typeof setTimeout> | null;
}

const MAX_TRACKED_ORGS = 10_000;

export function throttledAlertRequests(options: {
  send: (orgId: string) => Promise<unknown>;
  windowMs: number;
  onError: (error: unknown, orgId: string) => void;
  now?: () => number;
}): AlertRequester {
  const { send, windowMs, onError } = options;
  const now = options.now ?? Date.now;
  const orgs = new Map<string, OrgState>();
  const fire = (orgId: string) => send(orgId).then(() => undefined, (error: unknown) => onError(error, orgId));
  return {
    async request(orgId) {
      const at = now();
      const state = orgs.get(orgId);
      if (!state || at - state.lastSentAt >= windowMs) {
        if (!state && orgs.size >= MAX_TRACKED_ORGS) orgs.clear();
        orgs.set(orgId, { lastSentAt: at, trailing: state?.trailing ?? null });
        await fire(orgId);
        return;
      }
      if (state.trailing) return;
      state.trailing = setTimeout(() => {
        state.trailing = null;
        state.lastSentAt = now();
        void fire(orgId);
      }, windowMs - (at - state.lastSentAt));
      state.trailing.unref?.();
    },
  };
}

/** The ingest's afterWrite: a batch that stored points or changed presence asks the worker to evaluate the org's rules. */
export function alertEvaluationAfterIngest(options: { queue: () => Promise<PgBoss>; log: Logger }): (change: IngestWrite) => Promise<void> {
  const requests = throttledAlertRequests({
    send: async (orgId) => enqueueAlertEvaluation(await options.queue(), { orgId }),
    windowMs: ALERTS_EVALUATE_SLOT_SECONDS * 1000,
    onError: (err, orgId) => options.log.error({ err, orgId }, 'could not request an alert evaluation after live data'),
  });
  return (change) => requests.request(change.orgId);
}
