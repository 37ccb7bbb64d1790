import { describeAwsError, type PlatformIdentity } from '@/lib/aws/clients';
import { AppError } from '@/lib/errors';
import { VaultError, type Keyring } from '@/lib/vault';
import { serializeDeviceFilter, type DeviceFilter } from '@/features/devices/filters';
import { integrationClients, openGovernedClients, type ClientsFactory, type GovernedClients } from '@/features/integrations/runtime/clients';
import { loadIntegration } from '@/features/integrations/runtime/integration';
import { cacheKey, deviceSetKey, STORE_LIVE_TTL_MS, type TelemetryCache } from './cache';
import {
  getTelemetryDevice,
  getTelemetryMembership,
  listFleetSelections,
  listSelectedDevices,
  listTelemetryIntegrations,
  type FleetSelection,
  type TelemetryIntegration,
} from './queries';
import { resolveRange, type ResolvedRange } from './range';
import type { TelemetryRequest, TelemetrySeriesDto, TelemetrySourceInfo, TelemetrySourceKind } from './schemas';
import { shadowHistorySource, type Db } from './shadow-history-source';
import { mergeBuckets, toPoints, type SelectedDevice, type SeriesResult, type TelemetrySource } from './source';
import { timestreamSource, type TimestreamPlanOptions } from './timestream-source';
import { fleetlineStoreSource } from '@/features/telemetry-store/store-source';
import { listLiveDataIntegrations } from '@/features/live-data/queries';
import type { Tx } from '@/lib/db';

/**
 * Chart data for one device or a filtered fleet, shared by the route handler and the benchmark (no
 * next/* imports). Membership and device reads run as the user under RLS in one short transaction;
 * AWS calls happen after it has ended, so no database connection waits on Timestream.
 */

export interface TelemetryDeps {
  /** A transaction as the requesting user (RLS). */
  asUser: Db;
  /** Service door, used only to read an integration's vault token after membership was checked. */
  asService: Db;
  keyring: Keyring;
  platform: PlatformIdentity;
  cache: TelemetryCache;
  now: () => number;
  timestream?: Partial<TimestreamPlanOptions> & { concurrency?: number };
  /** Which of these integrations chart from the Fleetline store (run as the user). Default: those with live data on. */
  storeIntegrations?: (tx: Tx, orgId: string, integrationIds: readonly string[]) => Promise<Set<string>>;
}

export interface TelemetryInput {
  orgSlug: string;
  request: TelemetryRequest;
  /** Fleet scope only (ignored when request.device is set). */
  filter: DeviceFilter;
}

/** Timestream refused or failed a query: shown to the user with the AWS error name (never credentials). */
export class TelemetryUpstreamError extends Error {
  override name = 'TelemetryUpstreamError';
  constructor(
    readonly integrationName: string,
    readonly awsError: string,
    message: string,
  ) {
    super(message);
  }
}

interface Target {
  integration: TelemetryIntegration;
  source: TelemetrySourceKind;
  selected: number;
  all: boolean;
  key: string;
  devices: readonly SelectedDevice[] | null;
  /** Taken once, so an entry expiring mid-request cannot leave a target with neither answer nor devices. */
  cached: SeriesResult | undefined;
}

// One client builder per keyring and platform identity, so assumed-role credentials are reused across requests.
const factories = new WeakMap<Keyring, Map<string, ClientsFactory>>();
function clientsFactory(deps: TelemetryDeps): ClientsFactory {
  let byPlatform = factories.get(deps.keyring);
  if (!byPlatform) factories.set(deps.keyring, (byPlatform = new Map()));
  const identity = deps.platform.credentials?.accessKeyId ?? 'default-chain';
  let factory = byPlatform.get(identity);
  if (!factory) byPlatform.set(identity, (factory = integrationClients(deps.keyring, deps.platform)));
  return factory;
}

/** A chart request waits at most this long for Timestream, throttling by the integration's budget included. */
const TIMESTREAM_DEADLINE_MS = 20_000;

/** The integration runtime's governed clients for Timestream (the integration read with the service role, after membership). */
async function timestreamClients(deps: TelemetryDeps, orgId: string, integration: TelemetryIntegration): Promise<GovernedClients> {
  const row = await loadIntegration(deps.asService, integration.id, orgId);
  if (!row) throw new AppError('NOT_FOUND', 'That integration no longer exists.');
  try {
    return openGovernedClients({ clients: clientsFactory(deps), db: deps.asService }, row, {
      deadlineMs: TIMESTREAM_DEADLINE_MS,
      tuning: { connectionTimeoutMs: 5_000, requestTimeoutMs: 15_000 },
    });
  } catch (error) {
    if (error instanceof VaultError) {
      throw new AppError('PRECONDITION', `The stored credentials of "${integration.name}" cannot be decrypted. Rotate them on the integration's page.`);
    }
    throw new AppError('PRECONDITION', `"${integration.name}" has no usable credentials. Rotate them on the integration's page.`);
  }
}

function sourceKind(integration: TelemetryIntegration, store: ReadonlySet<string>): TelemetrySourceKind {
  if (store.has(integration.id)) return 'fleetline_store';
  return integration.timestreamDatabase && integration.timestreamTable && integration.timestreamAllowed ? 'timestream' : 'shadow_history';
}

async function sourceFor(deps: TelemetryDeps, orgId: string, target: Target): Promise<{ source: TelemetrySource; close(): void }> {
  if (target.source === 'shadow_history') return { source: shadowHistorySource({ db: deps.asUser, orgId, integrationId: target.integration.id }), close: () => {} };
  if (target.source === 'fleetline_store') return { source: fleetlineStoreSource({ db: deps.asUser, orgId, integrationId: target.integration.id }), close: () => {} };
  const aws = await timestreamClients(deps, orgId, target.integration);
  const source = timestreamSource({
    client: aws.clients.timestream,
    database: target.integration.timestreamDatabase!,
    table: target.integration.timestreamTable!,
    ...deps.timestream,
  });
  return { source, close: aws.close };
}

function isAwsError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && '$metadata' in error;
}

async function runTarget(deps: TelemetryDeps, orgId: string, target: Target, request: TelemetryRequest, range: ResolvedRange): Promise<SeriesResult> {
  const { source, close } = await sourceFor(deps, orgId, target);
  try {
    return await source.series({
      metric: request.metric,
      fromMs: range.fromMs,
      toMs: range.toMs,
      bin: range.bin,
      selection: { all: target.all, devices: target.devices ?? [] },
    });
  } catch (error) {
    if (!isAwsError(error)) throw error;
    const aws = describeAwsError(error);
    throw new TelemetryUpstreamError(target.integration.name, aws.name, `Timestream refused the query for "${target.integration.name}" (${aws.name}): ${aws.message}`);
  } finally {
    close();
  }
}

function historyNote(targets: Target[]): string | null {
  const names = targets.filter((t) => t.source === 'shadow_history').map((t) => `“${t.integration.name}”`);
  if (names.length === 0) return null;
  return (
    `${names.join(', ')} ${names.length === 1 ? 'has' : 'have'} no Timestream table Fleetline may query, so this chart uses the shadow history ` +
    'recorded at each sync: values come at the devices’ report rate, and versions between two syncs are missing.'
  );
}

export async function loadTelemetry(deps: TelemetryDeps, input: TelemetryInput): Promise<TelemetrySeriesDto> {
  const started = performance.now();
  const { request } = input;
  const range = resolveRange(
    { range: request.range, fromMs: request.from ? Date.parse(request.from) : undefined, toMs: request.to ? Date.parse(request.to) : undefined, bin: request.bin },
    deps.now(),
  );
  const notes: string[] = [];

  // Phase 1, as the user: who may see what, and which devices the chart covers.
  const { orgId, targets, remember } = await deps.asUser(async (tx): Promise<{ orgId: string; targets: Target[]; remember?: () => void }> => {
    const membership = await getTelemetryMembership(tx, input.orgSlug);
    if (!membership) throw new AppError('NOT_FOUND', 'Organization not found.');
    const orgId = membership.org.id;
    const inStore = deps.storeIntegrations ?? listLiveDataIntegrations;
    const storeOf = (integrations: readonly TelemetryIntegration[]) => inStore(tx, orgId, integrations.map((i) => i.id));
    const keyOf = (integration: TelemetryIntegration, store: ReadonlySet<string>, deviceSet: string) =>
      cacheKey({ orgId, integrationId: integration.id, source: sourceKind(integration, store), metric: request.metric, bin: range.bin, fromMs: range.fromMs, toMs: range.toMs, deviceSet });
    if (request.device) {
      const device = await getTelemetryDevice(tx, orgId, request.device);
      if (!device) throw new AppError('NOT_FOUND', 'That device does not exist in this organization.');
      if (device.removedAt) notes.push('This device is no longer in the AWS IoT registry; its recorded history is still shown.');
      const [integration] = await listTelemetryIntegrations(tx, orgId, [device.integrationId]);
      if (!integration) throw new AppError('NOT_FOUND', 'That device does not exist in this organization.');
      const store = await storeOf([integration]);
      const target: Target = {
        integration,
        source: sourceKind(integration, store),
        selected: 1,
        all: false,
        key: keyOf(integration, store, `thing:${device.thingName}`),
        devices: [{ id: device.id, thingName: device.thingName }],
        cached: undefined,
      };
      target.cached = deps.cache.get(target.key);
      return { orgId, targets: [target] };
    }
    const filterKey = serializeDeviceFilter(input.filter).toString();
    const build = async (selections: readonly FleetSelection[]): Promise<Target[]> => {
      const integrations = await listTelemetryIntegrations(tx, orgId, selections.map((s) => s.integrationId));
      const store = await storeOf(integrations);
      return integrations.map((integration) => {
        const s = selections.find((x) => x.integrationId === integration.id)!;
        const all = s.selected === s.live;
        const key = keyOf(integration, store, deviceSetKey(all, s.digest));
        return { integration, source: sourceKind(integration, store), selected: s.selected, all, key, devices: null, cached: deps.cache.get(key) };
      });
    };
    const remembered = deps.cache.getSelections(orgId, filterKey);
    let read: readonly FleetSelection[] | null = null;
    const fresh = async () => build((read = await listFleetSelections(tx, orgId, input.filter)));
    let targets = remembered ? await build(remembered) : await fresh();
    // Anything to compute is keyed by the device set as it is now, not as remembered.
    if (remembered && targets.some((t) => !t.cached)) targets = await fresh();
    // A fresh read is remembered once its answers are cached (a first answer may outlast the lifetime).
    const remember = read ? () => deps.cache.setSelections(orgId, filterKey, read!) : undefined;
    // Device lists are needed only for what the cache cannot answer (a repeat reads no names at all).
    // A whole fleet from the store reads its fleet rollups, which need no device names either.
    for (const target of targets) {
      if (!target.cached && !(target.source === 'fleetline_store' && target.all)) target.devices = await listSelectedDevices(tx, orgId, input.filter, target.integration.id);
    }
    return { orgId, targets, remember };
  });

  // Phase 2: cache, then the sources (one per integration, in parallel).
  const results = await Promise.all(
    targets.map(async (target) => {
      if (target.cached) return { target, result: target.cached, cache: 'hit' as const };
      const result = await runTarget(deps, orgId, target, request, range);
      deps.cache.set(target.key, result, range.live, target.source === 'fleetline_store' && range.live ? STORE_LIVE_TTL_MS : undefined);
      return { target, result, cache: 'miss' as const };
    }),
  );
  remember?.();

  const note = historyNote(targets);
  if (note) notes.push(note);
  const sources: TelemetrySourceInfo[] = results.map(({ target, result, cache }) => ({
    integrationId: target.integration.id,
    integrationName: target.integration.name,
    source: target.source,
    devices: target.selected,
    selection: target.all ? 'all' : 'listed',
    cache,
    bytesScanned: result.bytesScanned,
    queries: result.queries,
    ...(result.resolution ? { resolution: result.resolution } : {}),
  }));
  const scanned = sources.filter((s) => s.bytesScanned !== null);
  const hits = sources.filter((s) => s.cache === 'hit').length;
  return {
    scope: request.device ? 'device' : 'fleet',
    metric: request.metric,
    range: request.range,
    bin: range.bin,
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    buckets: range.buckets,
    points: toPoints(mergeBuckets(results.map((r) => r.result.buckets))),
    devices: targets.reduce((n, t) => n + t.selected, 0),
    sources,
    bytesScanned: scanned.length > 0 ? scanned.reduce((n, s) => n + s.bytesScanned!, 0) : null,
    cache: sources.length > 0 && hits === sources.length ? 'hit' : hits === 0 ? 'miss' : 'partial',
    serverMs: Math.round((performance.now() - started) * 100) / 100,
    notes,
  };
}
