import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { AwsClients } from '@/lib/aws/clients';
import { openGovernedClients, type ClientsFactory } from '@/features/integrations/runtime/clients';
import { loadGroupMembership, syncCatalog } from './catalog';
import { applyCommandUpdates, CommandTracker } from './commands';
import { describeFailure, isPermissionError, LeaseLostError, type FailureKind } from './errors';
import type { ObservedThing, SyncMode } from './model';
import type { ModeContext, ThingPages } from './modes/context';
import { fleetIndexPages, readIndexing, SEARCH_PAGE_MAX, type IndexingInfo } from './modes/fleet-index';
import { LIST_PAGE_MAX, registryPages } from './modes/registry';
import { syncOta } from '@/features/ota/sync';
import { readAhead } from './pipeline';
import { QuotaGovernor, type ApiStats, type Clock, type RetryPolicy } from '@/features/integrations/runtime/quota';
import {
  checkpoint,
  emptyCounters,
  finishRun,
  heartbeat,
  loadIntegration,
  recordOutcome,
  startRun,
  type Db,
  type IntegrationForSync,
  type RunCounters,
  type RunState,
} from './runs';
import type { SyncTrigger } from './schemas';
import { DeviceWriter, loadDeviceCache } from './writer';

/**
 * One sync of one integration: take the lease, choose the mode, sync types and groups, write every
 * page of things that changed, then OTA jobs, and only after a complete listing mark missing things
 * removed. Shared by the worker, the cron route and `npm run sync`; never imports next/*.
 */

export interface SyncTuning {
  searchPageSize: number;
  listPageSize: number;
  shadowConcurrency: number;
  /** Read named shadows in registry mode (fleet_index reads the ones the index carries). */
  namedShadows: boolean;
  /** Per-API replacements of AWS's default rates (before the integration's budget applies). */
  rates?: Partial<Record<string, number>>;
  retry?: Partial<RetryPolicy>;
  heartbeatMs: number;
  staleLeaseSeconds: number;
  pauseAfterCredentialFailures: number;
  maxJobDescribes: number;
  /** Pages fetched ahead of the one being written. */
  readAhead: number;
}

export const DEFAULT_TUNING: SyncTuning = {
  searchPageSize: SEARCH_PAGE_MAX,
  listPageSize: LIST_PAGE_MAX,
  shadowConcurrency: 64,
  namedShadows: true,
  heartbeatMs: 15_000,
  staleLeaseSeconds: 120,
  pauseAfterCredentialFailures: 3,
  maxJobDescribes: 100,
  readAhead: 2,
};

export interface SyncDeps {
  /** asService in the app; every query still filters by org_id. */
  db: Db;
  /** The integration runtime's client builder (SDK retries off; the governor opened by the runtime retries). */
  clients: ClientsFactory;
  log: Logger;
  /** Aborting stops the run at the next request; it is recorded as cancelled. */
  signal?: AbortSignal;
  /** AWS's clock for device status (epoch ms); the simulator's in tests. */
  now?: () => number;
  /** Wall clock for command timeouts (compared with created_at). */
  wallNow?: () => number;
  /** Pacing clock of the token buckets. */
  clock?: Clock;
  workerId?: string;
  tuning?: Partial<SyncTuning>;
}

export interface SyncRequest {
  integrationId: string;
  /** When given, the integration must belong to this organization. */
  orgId?: string;
  trigger: SyncTrigger;
  requestedBy?: string | null;
  jobId?: string | null;
}

export interface RunSummary {
  runId: string;
  integrationId: string;
  orgId: string;
  trigger: SyncTrigger;
  status: 'succeeded' | 'failed' | 'cancelled';
  mode: SyncMode | null;
  completeListing: boolean;
  counters: RunCounters;
  apiCalls: number;
  throttled: number;
  retries: number;
  apiStats: Record<string, ApiStats>;
  warnings: string[];
  error: string | null;
  errorCode: string | null;
  failureKind: FailureKind | null;
  /** The integration was paused after this run (repeated credential failures). */
  paused: boolean;
  durationMs: number;
}

export type SyncOutcome =
  | { outcome: 'ran'; run: RunSummary }
  | { outcome: 'busy'; integrationId: string; runningRunId: string }
  | { outcome: 'skipped'; integrationId: string; reason: 'not_found' | 'paused'; detail: string | null };

interface RunContext {
  deps: SyncDeps;
  tuning: SyncTuning;
  integration: IntegrationForSync;
  runId: string;
  state: RunState;
  signal: AbortSignal;
  warn: (message: string) => void;
}

export async function runSync(deps: SyncDeps, request: SyncRequest): Promise<SyncOutcome> {
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const integration = await loadIntegration(deps.db, request.integrationId, request.orgId);
  if (!integration) return { outcome: 'skipped', integrationId: request.integrationId, reason: 'not_found', detail: null };
  if (integration.status === 'paused') {
    return { outcome: 'skipped', integrationId: integration.id, reason: 'paused', detail: integration.paused_reason };
  }
  const started = await startRun(deps.db, {
    integration,
    trigger: request.trigger,
    requestedBy: request.requestedBy ?? null,
    jobId: request.jobId ?? null,
    workerId: deps.workerId ?? null,
    staleAfterSeconds: tuning.staleLeaseSeconds,
  });
  if ('busyRunId' in started) return { outcome: 'busy', integrationId: integration.id, runningRunId: started.busyRunId };

  const controller = new AbortController();
  // Every request in flight listens on this signal (shadow reads run concurrently).
  setMaxListeners(tuning.shadowConcurrency * 4 + 50, controller.signal);
  const onAbort = () => controller.abort(deps.signal?.reason);
  if (deps.signal?.aborted) onAbort();
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  const state: RunState = {
    mode: null,
    counters: emptyCounters(),
    progress: { phase: 'starting', pagesDone: 0, thingsSoFar: 0, expectedThings: started.expectedThings },
    apiStats: {},
    totals: { calls: 0, throttled: 0, retries: 0 },
    warnings: [],
  };
  const ctx: RunContext = {
    deps,
    tuning,
    integration,
    runId: started.runId,
    state,
    signal: controller.signal,
    warn: (message) => {
      if (state.warnings.length < 20 && !state.warnings.includes(message)) state.warnings.push(message.slice(0, 500));
    },
  };
  // A heartbeat outside the page writes, so slow pages (throttling, large registry pages) keep the lease.
  const timer = setInterval(() => {
    heartbeat(deps.db, started.runId)
      .then((alive) => {
        if (!alive) controller.abort(new LeaseLostError());
      })
      .catch((error: unknown) => deps.log.warn({ err: error, runId: started.runId }, 'sync heartbeat failed'));
  }, tuning.heartbeatMs);
  timer.unref();
  const log = deps.log.child({ runId: started.runId, integrationId: integration.id, orgId: integration.org_id });
  log.info({ trigger: request.trigger }, 'sync started');
  try {
    return { outcome: 'ran', run: await execute(ctx, request.trigger, log) };
  } finally {
    clearInterval(timer);
    deps.signal?.removeEventListener('abort', onAbort);
  }
}

async function execute(ctx: RunContext, trigger: SyncTrigger, log: Logger): Promise<RunSummary> {
  const { deps, tuning, integration, state, runId } = ctx;
  const t0 = Date.now();
  const target = { db: deps.db, orgId: integration.org_id, integrationId: integration.id };
  let governor: QuotaGovernor | undefined;
  let clients: AwsClients | undefined;
  let completeListing = false;
  const capture = () => {
    if (!governor) return;
    state.apiStats = governor.snapshot();
    state.totals = governor.totals();
  };
  const summary = (status: RunSummary['status'], extra: Partial<RunSummary> = {}): RunSummary => ({
    runId,
    integrationId: integration.id,
    orgId: integration.org_id,
    trigger,
    status,
    mode: state.mode,
    completeListing,
    counters: { ...state.counters },
    apiCalls: state.totals.calls,
    throttled: state.totals.throttled,
    retries: state.totals.retries,
    apiStats: state.apiStats,
    warnings: [...state.warnings],
    error: null,
    errorCode: null,
    failureKind: null,
    paused: false,
    durationMs: Date.now() - t0,
    ...extra,
  });

  try {
    // Budgeted with the integration's other processes (bulk operations, interactive calls) through the shared bucket.
    ({ clients, governor } = openGovernedClients({ clients: deps.clients, db: deps.db }, integration, {
      rates: tuning.rates,
      retry: tuning.retry,
      clock: deps.clock,
      signal: ctx.signal,
    }));
    const save = async (tx: Parameters<Parameters<Db>[0]>[0]) => {
      capture();
      await checkpoint(tx, runId, state);
    };

    state.progress.phase = 'catalog';
    const indexing = await chooseMode(ctx, clients);
    state.mode = indexing.mode;
    const catalog = await syncCatalog({ ...target, iot: clients.iot, signal: ctx.signal });
    await deps.db(save);

    const cache = await loadDeviceCache(target);
    const commands = await CommandTracker.load(deps.db, target, deps.wallNow);
    const writer = new DeviceWriter(target, cache, commands);
    const modeCtx: ModeContext = {
      iot: clients.iot,
      iotData: clients.iotData,
      signal: ctx.signal,
      pageSize: indexing.mode === 'fleet_index' ? tuning.searchPageSize : tuning.listPageSize,
      shadowConcurrency: tuning.shadowConcurrency,
      knownGroups: catalog.groups,
      warn: ctx.warn,
    };
    state.progress.phase = 'things';
    const now = deps.now ?? Date.now;
    const memberships: MembershipHolder = { loading: null };
    for await (const page of readAhead(thingPages(ctx, modeCtx, indexing, memberships), tuning.readAhead)) {
      await writer.writePage(page, now(), async (tx, r) => {
        const c = state.counters;
        c.devicesUpserted += r.written;
        c.devicesUnchanged += r.unchanged;
        c.shadowHistoryRows += r.historyRows;
        c.shadowErrors += r.shadowErrors;
        c.commandsResolved += r.commandsResolved;
        c.thingsSeen = writer.seen.size;
        state.progress.pagesDone++;
        state.progress.thingsSoFar = writer.seen.size;
        await save(tx);
      });
    }
    if (memberships.loading) {
      // Registry mode: pages written before the memberships arrived get their groups now.
      const membership = await memberships.loading;
      await writer.applyMemberships(membership, async (tx, r) => {
        const c = state.counters;
        c.devicesUpserted += r.newlyChanged;
        c.devicesUnchanged -= r.newlyChanged;
        c.devicesRegrouped += r.rewritten;
        await save(tx);
      });
    }
    completeListing = true;
    if (state.counters.shadowErrors > 0) ctx.warn(`${state.counters.shadowErrors} shadows could not be read; those devices kept their cached state.`);

    state.progress.phase = 'ota';
    try {
      const ota = await syncOta({ ...target, iot: clients.iot, signal: ctx.signal, maxDescribes: tuning.maxJobDescribes });
      state.counters.otaJobs = ota.jobs;
    } catch (error) {
      const failure = describeFailure(error);
      if (failure.kind === 'cancelled' || failure.kind === 'lease' || failure.kind === 'internal') throw error;
      ctx.warn(`OTA jobs were not synced: ${failure.message}`);
    }

    state.progress.phase = 'finishing';
    let paused = false;
    await deps.db(async (tx) => {
      state.counters.devicesRemoved = await writer.markRemoved(tx, writer.missing());
      const expired = commands.unobserved();
      await applyCommandUpdates(tx, integration.org_id, expired);
      state.counters.commandsResolved += expired.length;
      capture();
      const end = { status: 'succeeded' as const, completeListing: true, error: null, errorCode: null };
      if (!(await finishRun(tx, runId, state, end))) throw new LeaseLostError();
      paused = (await recordOutcome(tx, integration, { ...end, credentialFailure: false }, tuning.pauseAfterCredentialFailures)).paused;
    });
    const done = summary('succeeded', { paused });
    log.info({ mode: done.mode, counters: done.counters, apiCalls: done.apiCalls, throttled: done.throttled, durationMs: done.durationMs }, 'sync succeeded');
    return done;
  } catch (caught) {
    const error = ctx.signal.aborted && ctx.signal.reason instanceof LeaseLostError ? ctx.signal.reason : caught;
    const failure = describeFailure(error);
    if (failure.kind === 'internal') log.error({ err: error }, 'sync failed unexpectedly');
    const status = failure.kind === 'cancelled' ? 'cancelled' : 'failed';
    capture();
    let paused = false;
    if (failure.kind !== 'lease') {
      const end = { status, completeListing: false, error: failure.message, errorCode: failure.code } as const;
      await deps.db(async (tx) => {
        if (await finishRun(tx, runId, state, end)) {
          paused = (await recordOutcome(tx, integration, { ...end, credentialFailure: failure.kind === 'credentials' }, tuning.pauseAfterCredentialFailures)).paused;
        }
      });
    }
    log.warn({ code: failure.code, kind: failure.kind, pagesDone: state.progress.pagesDone, paused }, `sync ${status}: ${failure.message}`);
    return summary(status, { error: failure.message, errorCode: failure.code, failureKind: failure.kind, paused, completeListing: false });
  } finally {
    clients?.destroy();
  }
}

/** GetIndexingConfiguration decides; without permission to read it, registry mode is the safe choice. */
async function chooseMode(ctx: RunContext, clients: AwsClients): Promise<IndexingInfo> {
  try {
    return await readIndexing(clients.iot, ctx.signal);
  } catch (error) {
    if (!isPermissionError(error)) throw error;
    ctx.warn(`The indexing configuration could not be read (${describeFailure(error).code}); synced in registry mode.`);
    return { mode: 'registry', connectivity: false, namedShadowNames: null };
  }
}

/** Registry mode's membership listing, which runs alongside the things and is awaited after them. */
interface MembershipHolder {
  loading: Promise<Map<string, string[]>> | null;
}

/** The pages of the chosen mode; a fleet index that is still building or not searchable falls back to registry mode. */
async function* thingPages(ctx: RunContext, modeCtx: ModeContext, indexing: IndexingInfo, memberships: MembershipHolder): ThingPages {
  const registry = async function* (): ThingPages {
    const membership = loadGroupMembership(modeCtx.iot, modeCtx.knownGroups, ctx.signal);
    membership.catch(() => undefined); // awaited after the listing, where a failure fails the run
    memberships.loading = membership;
    yield* registryPages({ ...modeCtx, pageSize: ctx.tuning.listPageSize }, { membership, namedShadows: ctx.tuning.namedShadows });
  };
  if (indexing.mode !== 'fleet_index') return yield* registry();
  const pages = fleetIndexPages(modeCtx, indexing);
  let first: IteratorResult<ObservedThing[], void>;
  try {
    first = await pages.next();
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (name !== 'IndexNotReadyException' && !isPermissionError(error)) throw error;
    ctx.warn(`The fleet index could not be searched (${describeFailure(error).code}); synced in registry mode.`);
    ctx.state.mode = 'registry';
    return yield* registry();
  }
  if (first.done) return;
  yield first.value;
  yield* pages;
}
