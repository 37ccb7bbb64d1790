import { createHash } from 'node:crypto';
import type { Tx } from '@/lib/db';
import { applyCommandUpdates, type CommandTracker, type CommandUpdate } from './commands';
import { canonicalJson, type ObservedThing } from './model';
import { deriveDeviceState, lastReportedSeconds } from './status';

/**
 * Observed things → `devices` rows, written only when their fingerprint (registry fields, shadow and
 * registry versions, connectivity, status) or their groups changed; batched upserts on
 * (integration_id, thing_name). Groups stay outside the fingerprint so that registry mode can write
 * a page before the memberships are loaded and set the groups afterwards (`applyMemberships`).
 * User actions that change cached rows write through `writeAttributeEdit`, which invalidates the
 * fingerprint, so the next sync corrects the row whatever AWS holds by then.
 */

export interface DeviceRow {
  thing_name: string;
  display_name: string | null;
  thing_type: string | null;
  attributes: Record<string, string>;
  groups: string[];
  registry_version: number | null;
  connected: boolean | null;
  status: string;
  last_seen_at: string | null;
  connectivity_changed_at: string | null;
  disconnect_reason: string | null;
  firmware_version: string | null;
  battery: number | null;
  rssi: number | null;
  temperature: number | null;
  shadow: { reported: unknown; desired: unknown; delta: unknown; metadata: unknown } | null;
  shadow_version: number | null;
  named_shadows: Record<string, unknown> | null;
  sync_hash: string;
}

export interface PlannedRow {
  row: DeviceRow;
  /** False when the shadow could not be read: only the registry columns are written. */
  full: boolean;
  /** Record a device_shadow_history row (a shadow version this device has not shown before). */
  history: boolean;
  reportedAt: string | null;
  /** False when `row.groups` is the cached value standing in for memberships not loaded yet. */
  groupsKnown: boolean;
}

/** What the database holds for a thing, loaded once per run. */
export interface CachedDevice {
  hash: string;
  shadowVersion: number | null;
  removed: boolean;
  /** The row's groups as `groupsKey` (interned: a fleet has few distinct memberships). */
  groups: string;
}

const groupKeys = new Map<string, string>();
/** Sorted group names joined with commas (AWS group names have none), one string instance per value. */
export function groupsKey(groups: readonly string[]): string {
  const key = groups.join(',');
  let interned = groupKeys.get(key);
  if (interned === undefined) {
    if (groupKeys.size > 10_000) groupKeys.clear();
    groupKeys.set(key, key);
    interned = key;
  }
  return interned;
}

const groupsOf = (key: string): string[] => (key === '' ? [] : key.split(','));

const fingerprint = (value: unknown) => createHash('sha1').update(canonicalJson(value)).digest('base64url');
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function planRow(thing: ObservedThing, nowMs: number, cached: CachedDevice | undefined): PlannedRow {
  const registry = {
    thing_name: thing.thingName,
    display_name: thing.attributes.displayName ?? thing.attributes.name ?? null,
    thing_type: thing.thingType,
    attributes: thing.attributes,
    registry_version: thing.registryVersion,
  };
  // Groups not known yet (registry mode, memberships still loading): keep what the row has.
  const groups = thing.groups ?? (cached ? groupsOf(cached.groups) : []);
  if (thing.shadow === undefined) {
    const row = { ...registry, groups, sync_hash: `p.${fingerprint(registry)}` } as DeviceRow;
    return { row, full: false, history: false, reportedAt: null, groupsKnown: thing.groups !== null };
  }
  const d = deriveDeviceState(thing, nowMs);
  const s = thing.shadow;
  const fields = {
    ...registry,
    connected: d.connected,
    status: d.status,
    last_seen_at: iso(d.lastSeenAt),
    connectivity_changed_at: iso(d.connectivityChangedAt),
    disconnect_reason: d.disconnectReason,
    firmware_version: d.firmwareVersion,
    battery: d.battery,
    rssi: d.rssi,
    temperature: d.temperature,
    shadow: s ? { reported: s.reported, desired: s.desired, delta: s.delta, metadata: s.metadata } : null,
    shadow_version: s?.version ?? null,
    named_shadows: thing.namedShadows,
  };
  const row: DeviceRow = { ...fields, groups, sync_hash: `f.${fingerprint(fields)}` };
  const reported = lastReportedSeconds(s);
  return {
    row,
    groupsKnown: thing.groups !== null,
    full: true,
    history: !!s?.reported && s.version !== null && s.version !== cached?.shadowVersion,
    reportedAt: reported === null ? null : new Date(reported * 1000).toISOString(),
  };
}

/**
 * The fingerprint of a row that no longer shows the answer its fingerprint stood for (a user action
 * changed it after AWS accepted the change). No planned row hashes to it, so the next sync rewrites
 * the row from whatever AWS then holds, even when AWS went back to the fingerprinted answer.
 */
export const INVALIDATED_FINGERPRINT = '';

/** A registry change AWS accepted, written into cached rows by the action that made it. */
export type AttributeEdit =
  /** The attributes AWS holds now (UpdateThing's result, or DescribeThing). */
  | { kind: 'replace'; attributes: Record<string, string> }
  /** One key set on every listed device; an empty value removed it (AttributePayload merge). */
  | { kind: 'merge'; key: string; value: string };

/**
 * Writes attribute edits into cached rows and invalidates their fingerprints (see above). With the
 * registry version AWS answered, a row that already shows a later version (a sync read it after
 * this edit) is left alone; without one (`null`) the version is cleared, so the next edit reads it.
 */
export async function writeAttributeEdit(
  tx: Tx,
  target: { orgId: string; deviceIds: readonly string[] },
  edit: AttributeEdit,
  registryVersion: number | null,
): Promise<number> {
  if (target.deviceIds.length === 0) return 0;
  const attributes =
    edit.kind === 'replace'
      ? tx`${tx.json(edit.attributes)}::jsonb`
      : edit.value === ''
        ? tx`attributes - ${edit.key}::text`
        : tx`attributes || ${tx.json({ [edit.key]: edit.value })}::jsonb`;
  const rows = await tx`
    with e as (
      select d.id, ${attributes} as attributes from public.devices d
      where d.org_id = ${target.orgId} and d.id = any(${target.deviceIds as string[]}::uuid[])
        and (${registryVersion}::bigint is null or d.registry_version is null or d.registry_version <= ${registryVersion}::bigint)
    )
    update public.devices d set attributes = e.attributes,
      display_name = coalesce(e.attributes ->> 'displayName', e.attributes ->> 'name'),
      registry_version = ${registryVersion}::bigint, sync_hash = ${INVALIDATED_FINGERPRINT}, synced_at = now()
    from e where d.id = e.id
    returning d.id`;
  return rows.length;
}

/** The row's presence event is newer than the connectivity time the index answered (or the index has none). */
const PRESENCE_NEWER_THAN_INDEX =
  '(d.presence_at is not null and (excluded.connectivity_changed_at is null or d.presence_at > excluded.connectivity_changed_at))';

/** A connect or disconnect lifecycle event (AWS IoT presence), for a thing of one integration. */
export interface PresenceEvent {
  thingName: string;
  connected: boolean;
  at: Date;
  disconnectReason: string | null;
}

/**
 * Applies presence events to the devices cache at once: per thing the newest event, and only when it
 * is newer than the row's last event and than the connectivity time a sync read from the index. The
 * fingerprint stays, so a sync that reads the same (older) index answer does not rewrite the row, and
 * one that reads a changed answer keeps the newer presence state (see upsertFull). Returns rows changed.
 */
export async function writePresence(tx: Tx, target: { orgId: string; integrationId: string }, events: readonly PresenceEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const records = events.map((e) => ({ thing_name: e.thingName, connected: e.connected, at: e.at.toISOString(), reason: e.disconnectReason }));
  const rows = await tx`
    with e as (
      select distinct on (thing_name) * from jsonb_to_recordset(${tx.json(records as never)}::jsonb)
        as e(thing_name text, connected boolean, at timestamptz, reason text)
      order by thing_name, at desc
    )
    update public.devices d set
      connected = e.connected,
      status = case when e.connected then 'online'::public.device_status else 'offline'::public.device_status end,
      last_seen_at = greatest(d.last_seen_at, e.at),
      connectivity_changed_at = e.at,
      disconnect_reason = case when e.connected then null else e.reason end,
      presence_at = e.at
    from e
    where d.org_id = ${target.orgId} and d.integration_id = ${target.integrationId} and d.thing_name = e.thing_name
      and d.removed_at is null
      and (d.presence_at is null or d.presence_at < e.at)
      and (d.connectivity_changed_at is null or d.connectivity_changed_at <= e.at)
    returning d.id`;
  return rows.length;
}

export function needsWrite(planned: PlannedRow, cached: CachedDevice | undefined): boolean {
  if (!cached || cached.removed || cached.hash !== planned.row.sync_hash) return true;
  return planned.groupsKnown && cached.groups !== groupsKey(planned.row.groups);
}

export interface PageResult {
  written: number;
  unchanged: number;
  historyRows: number;
  shadowErrors: number;
  commandsResolved: number;
}

export interface WriterTarget {
  orgId: string;
  integrationId: string;
  db: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
}

export async function loadDeviceCache(t: WriterTarget): Promise<Map<string, CachedDevice>> {
  const cache = new Map<string, CachedDevice>();
  await t.db(async (tx) => {
    const cursor = tx<{ thing_name: string; sync_hash: string; shadow_version: string | null; removed: boolean; groups: string[] }[]>`
      select thing_name, sync_hash, shadow_version, removed_at is not null as removed, groups
      from public.devices where org_id = ${t.orgId} and integration_id = ${t.integrationId}`.cursor(5000);
    for await (const rows of cursor) {
      for (const r of rows) {
        const shadowVersion = r.shadow_version === null ? null : Number(r.shadow_version);
        cache.set(r.thing_name, { hash: r.sync_hash, shadowVersion, removed: r.removed, groups: groupsKey(r.groups) });
      }
    }
  });
  return cache;
}

/** A thing written or skipped while its memberships were unknown; `applyMemberships` settles it. */
interface PendingGroups {
  thingName: string;
  /** Its row was written in this run (so a groups fix is a second write, not a new change). */
  written: boolean;
}

export interface GroupsResult {
  /** Rows whose only change in this run was their groups. */
  newlyChanged: number;
  /** Rows already written in this run and written again for their groups. */
  rewritten: number;
}

export class DeviceWriter {
  readonly seen = new Set<string>();
  private pendingGroups: PendingGroups[] = [];

  /**
   * @param answersSince no answer this writer gets was read before this time. A row another writer
   * wrote after it with a later shadow or registry version holds a newer answer, and is left alone
   * (its own fingerprint stays, so the next sync still compares against what the row shows).
   */
  constructor(
    private readonly target: WriterTarget,
    private readonly cache: Map<string, CachedDevice>,
    private readonly commands: CommandTracker,
    private readonly answersSince: Date = new Date(),
  ) {}

  /**
   * Writes one page in one transaction that ends with `checkpoint` (the run's lease check and
   * progress): progress matches what is committed, and a run that lost its lease commits nothing.
   */
  async writePage(things: ObservedThing[], nowMs: number, checkpoint: (tx: Tx, page: PageResult) => Promise<void>): Promise<PageResult> {
    const plans: PlannedRow[] = [];
    const result: PageResult = { written: 0, unchanged: 0, historyRows: 0, shadowErrors: 0, commandsResolved: 0 };
    const commandUpdates: CommandUpdate[] = [];
    for (const thing of things) {
      if (this.seen.has(thing.thingName)) continue;
      this.seen.add(thing.thingName);
      const cached = this.cache.get(thing.thingName);
      const planned = planRow(thing, nowMs, cached);
      if (!planned.full) result.shadowErrors++;
      const write = needsWrite(planned, cached);
      if (write) plans.push(planned);
      else result.unchanged++;
      if (!planned.groupsKnown) this.pendingGroups.push({ thingName: thing.thingName, written: write });
      commandUpdates.push(...this.commands.observe(thing, planned.full ? planned.row : null));
    }
    result.commandsResolved = commandUpdates.length;
    result.written = plans.length;
    await this.target.db(async (tx) => {
      const full = plans.filter((p) => p.full);
      const partial = plans.filter((p) => !p.full);
      if (full.length > 0) result.historyRows = await this.upsertFull(tx, full);
      if (partial.length > 0) await this.upsertRegistryOnly(tx, partial);
      await applyCommandUpdates(tx, this.target.orgId, commandUpdates);
      await checkpoint(tx, result);
    });
    for (const p of plans) {
      const shadowVersion = p.full ? p.row.shadow_version : (this.cache.get(p.row.thing_name)?.shadowVersion ?? null);
      this.cache.set(p.row.thing_name, { hash: p.row.sync_hash, shadowVersion, removed: false, groups: groupsKey(p.row.groups) });
    }
    return result;
  }

  /** Things whose groups still wait for the memberships. */
  get pendingGroupCount(): number {
    return this.pendingGroups.length;
  }

  /**
   * Sets the groups of the things written or skipped before the memberships were known, where they
   * differ from the row's, in batches that each end with `checkpoint` (like pages).
   */
  async applyMemberships(
    membership: ReadonlyMap<string, readonly string[]>,
    checkpoint: (tx: Tx, batch: GroupsResult) => Promise<void>,
    batchSize = 5000,
  ): Promise<GroupsResult> {
    const total: GroupsResult = { newlyChanged: 0, rewritten: 0 };
    const pending = this.pendingGroups;
    this.pendingGroups = [];
    for (let i = 0; i < pending.length; i += batchSize) {
      const updates: { thing_name: string; groups: readonly string[]; written: boolean }[] = [];
      for (const p of pending.slice(i, i + batchSize)) {
        const groups = membership.get(p.thingName) ?? [];
        const cached = this.cache.get(p.thingName);
        if (cached && cached.groups !== groupsKey(groups)) updates.push({ thing_name: p.thingName, groups, written: p.written });
      }
      if (updates.length === 0) continue;
      const batch: GroupsResult = {
        newlyChanged: updates.filter((u) => !u.written).length,
        rewritten: updates.filter((u) => u.written).length,
      };
      await this.target.db(async (tx) => {
        await tx`
          update public.devices d set groups = u.groups, synced_at = now()
          from jsonb_to_recordset(${tx.json(updates.map(({ thing_name, groups }) => ({ thing_name, groups })) as never)}::jsonb)
            as u(thing_name text, groups text[])
          where d.org_id = ${this.target.orgId} and d.integration_id = ${this.target.integrationId} and d.thing_name = u.thing_name`;
        await checkpoint(tx, batch);
      });
      for (const u of updates) this.cache.get(u.thing_name)!.groups = groupsKey(u.groups);
      total.newlyChanged += batch.newlyChanged;
      total.rewritten += batch.rewritten;
    }
    return total;
  }

  private async upsertFull(tx: Tx, plans: PlannedRow[]): Promise<number> {
    const { orgId, integrationId } = this.target;
    const PRESENCE_WINS = tx.unsafe(PRESENCE_NEWER_THAN_INDEX);
    const records = plans.map((p) => ({ ...p.row, history: p.history, reported_at: p.reportedAt }));
    // The history FK check on devices is a cached plan per connection; planned while devices was small it
    // seq-scans, and each page gets slower as the table grows (a first sync into a fresh database).
    await tx`set local plan_cache_mode = force_custom_plan`;
    const [row] = await tx<{ history: number }[]>`
      with r as (
        select * from jsonb_to_recordset(${tx.json(records as never)}::jsonb) as r(
          thing_name text, display_name text, thing_type text, attributes jsonb, groups text[], registry_version bigint,
          connected boolean, status public.device_status, last_seen_at timestamptz, connectivity_changed_at timestamptz,
          disconnect_reason text, firmware_version text, battery double precision, rssi double precision,
          temperature double precision, shadow jsonb, shadow_version bigint, named_shadows jsonb, sync_hash text,
          history boolean, reported_at timestamptz)
      ), up as (
        insert into public.devices as d (
          org_id, integration_id, thing_name, display_name, thing_type, attributes, groups, registry_version,
          connected, status, last_seen_at, connectivity_changed_at, disconnect_reason, firmware_version, battery,
          rssi, temperature, shadow, shadow_version, named_shadows, sync_hash)
        select ${orgId}, ${integrationId}, r.thing_name, r.display_name, r.thing_type, r.attributes, r.groups, r.registry_version,
          r.connected, r.status, r.last_seen_at, r.connectivity_changed_at, r.disconnect_reason, r.firmware_version, r.battery,
          r.rssi, r.temperature, nullif(r.shadow, 'null'::jsonb), r.shadow_version, nullif(r.named_shadows, 'null'::jsonb), r.sync_hash
        from r
        on conflict (integration_id, thing_name) do update set
          display_name = excluded.display_name, thing_type = excluded.thing_type, attributes = excluded.attributes,
          groups = excluded.groups, registry_version = coalesce(excluded.registry_version, d.registry_version),
          -- A presence event newer than the index's connectivity time keeps the state it set.
          connected = case when ${PRESENCE_WINS} then d.connected else excluded.connected end,
          -- Staleness (connected but silent) still comes from the sync's clock when both say connected.
          status = case when ${PRESENCE_WINS} and not (d.connected and excluded.connected and excluded.status = 'stale') then d.status else excluded.status end,
          last_seen_at = case when ${PRESENCE_WINS} then greatest(d.last_seen_at, excluded.last_seen_at) else excluded.last_seen_at end,
          connectivity_changed_at = case when ${PRESENCE_WINS} then d.connectivity_changed_at else excluded.connectivity_changed_at end,
          disconnect_reason = case when ${PRESENCE_WINS} then d.disconnect_reason else excluded.disconnect_reason end,
          firmware_version = excluded.firmware_version, battery = excluded.battery, rssi = excluded.rssi,
          temperature = excluded.temperature, shadow = excluded.shadow, shadow_version = excluded.shadow_version,
          named_shadows = coalesce(excluded.named_shadows, d.named_shadows), sync_hash = excluded.sync_hash,
          removed_at = null, synced_at = now()
        where d.synced_at < ${this.answersSince}
          or not (coalesce(excluded.shadow_version < d.shadow_version, false) or coalesce(excluded.registry_version < d.registry_version, false))
        returning d.id, d.thing_name
      ), hist as (
        insert into public.device_shadow_history (org_id, device_id, shadow_version, reported, reported_at)
        select ${orgId}, up.id, r.shadow_version, r.shadow -> 'reported', r.reported_at
        from up join r using (thing_name)
        where r.history
        on conflict (device_id, shadow_version) do nothing
        returning 1
      )
      select (select count(*) from hist)::int as history`;
    return row?.history ?? 0;
  }

  private async upsertRegistryOnly(tx: Tx, plans: PlannedRow[]): Promise<void> {
    const { orgId, integrationId } = this.target;
    const records = plans.map((p) => p.row);
    await tx`
      insert into public.devices as d (org_id, integration_id, thing_name, display_name, thing_type, attributes, groups, registry_version, sync_hash)
      select ${orgId}, ${integrationId}, r.thing_name, r.display_name, r.thing_type, r.attributes, r.groups, r.registry_version, r.sync_hash
      from jsonb_to_recordset(${tx.json(records as never)}::jsonb) as r(
        thing_name text, display_name text, thing_type text, attributes jsonb, groups text[], registry_version bigint, sync_hash text)
      on conflict (integration_id, thing_name) do update set
        display_name = excluded.display_name, thing_type = excluded.thing_type, attributes = excluded.attributes,
        groups = excluded.groups, registry_version = coalesce(excluded.registry_version, d.registry_version),
        sync_hash = excluded.sync_hash, removed_at = null, synced_at = now()
      where d.synced_at < ${this.answersSince} or not coalesce(excluded.registry_version < d.registry_version, false)`;
  }

  /** Things the cache holds (and not yet removed) that this run's complete listing did not contain. */
  missing(): string[] {
    const out: string[] = [];
    for (const [name, c] of this.cache) if (!c.removed && !this.seen.has(name)) out.push(name);
    return out;
  }

  /** Marks missing things removed; call only after a complete listing, inside the run's final transaction. */
  async markRemoved(tx: Tx, names: string[]): Promise<number> {
    if (names.length === 0) return 0;
    const rows = await tx`
      update public.devices set removed_at = now(), synced_at = now()
      where org_id = ${this.target.orgId} and integration_id = ${this.target.integrationId}
        and removed_at is null and thing_name = any(${names}::text[])
      returning id`;
    for (const name of names) {
      const c = this.cache.get(name);
      if (c) c.removed = true;
    }
    return rows.length;
  }
}
