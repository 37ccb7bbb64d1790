// The simulator's state and its control surface (used by tests directly, by the admin API and the CLI).

import { Account } from './account';
import { SimClock } from './clock';
import {
  DEFAULT_ACCOUNTS,
  DEFAULT_KEYS,
  DEFAULT_ROLES,
  DEMO_ACCOUNT_ID,
  DEMO_REGION,
  DEMO_ROLE_ARN,
  defaultBehaviour,
  defaultIndexing,
  defaultTimestream,
  type AccountOptions,
  type BehaviourSettings,
  type IndexingSettings,
  type JobBehaviour,
  type KeyConfig,
  type RoleConfig,
  type ThingIndexingMode,
  type TimestreamSettings,
} from './config';
import { effectFor, type AnomalyKind, type AnomalyOptions, type ControlKind, type FirmwareRule, type ThingControlView } from './controls';
import { DISCONNECT_REASONS } from './fleet';
import { IamStore } from './iam';
import { applyIndexingUpdate } from './indexing';
import { defaultFaults, defaultQuotas, QuotaManager, type FaultSettings, type QuotaSettings } from './quotas';
import { defaultRulesSettings, emptyRuleCounters, emptyRuleTotals, RulesEngine, type RuleCounters, type RulesSettings, type RuleTotals } from './rules';

export const KNOWN_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'me-south-1', 'me-central-1', 'af-south-1', 'ap-east-1',
  'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
  'ap-southeast-3', 'ap-southeast-4', 'il-central-1', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-gov-east-1',
];

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** Fleet size of the demo account (shortcut for accounts[0].things). */
  things?: number;
  /** Seed of the demo account's fleet (shortcut for accounts[0].seed). */
  seed?: number;
  /** Indexing mode of the demo account (shortcut); connectivity indexing follows (STATUS unless OFF). */
  indexing?: ThingIndexingMode;
  /** Replaces the default accounts entirely. */
  accounts?: AccountOptions[];
  keys?: KeyConfig[];
  roles?: RoleConfig[];
  /** ExternalId of the demo role (shortcut). */
  externalId?: string;
  quotas?: Partial<QuotaSettings>;
  faults?: Partial<FaultSettings>;
  behaviour?: Partial<Omit<BehaviourSettings, 'jobs'>> & { jobs?: Partial<JobBehaviour> };
  timestream?: Partial<TimestreamSettings>;
  clock?: { startMs?: number; scale?: number };
  /** Simulated time an index needs after it is switched on (IndexNotReadyException meanwhile). */
  indexBuildMs?: number;
  /** Rules engine delivery (auto every 250 ms of real time, or manual = only on flushRules()). */
  rules?: Partial<RulesSettings>;
}

export interface SimulatorSettings {
  behaviour: BehaviourSettings;
  timestream: TimestreamSettings;
  quotas: QuotaSettings;
  faults: FaultSettings;
  indexBuildMs: number;
  rules: RulesSettings;
}

export interface Counters {
  calls: Record<string, number>;
  throttled: Record<string, number>;
  errors: Record<string, number>;
  faults: { errors: number; resets: number };
  byAccount: Record<string, { calls: Record<string, number>; throttled: Record<string, number> }>;
  /** Rules engine: messages published and matched, HTTP requests, deliveries, retries, drops. */
  rules: RuleTotals;
}

function emptyCounters(): Counters {
  return { calls: {}, throttled: {}, errors: {}, faults: { errors: 0, resets: 0 }, byAccount: {}, rules: emptyRuleTotals() };
}

export interface RulesView {
  settings: RulesSettings;
  totals: RuleTotals;
  accounts: {
    accountId: string;
    region: string;
    queued: number;
    rules: { ruleName: string; topicFilter: string; ruleDisabled: boolean; counters: RuleCounters }[];
    destinations: { arn: string; confirmationUrl: string; status: string; statusReason?: string }[];
  }[];
}

export interface AccountSummary {
  accountId: string;
  region: string;
  things: number;
  seed: number;
  indexing: IndexingSettings;
  timestream: { database: string; table: string };
  jobs: number;
  seedMs: number;
}

/**
 * Which things of an account a device control applies to: named things, or the first `count` things
 * (in name order) that match `prefix` and/or `group` (recursive, e.g. `region-eu`). At least one field.
 */
export interface DeviceSelector {
  thingNames?: string[];
  prefix?: string;
  group?: string;
  count?: number;
  region?: string;
}

export type { AnomalyOptions, FirmwareRule } from './controls';

export interface ControlResult {
  /** Things the call changed (already-offline things are not taken offline twice, and so on). */
  thingNames: string[];
  /** Simulated time the control starts or ends (metric effects: the first affected 60-second point). */
  atMs: number;
}

export interface ThingControlSummary extends ThingControlView {
  thingName: string;
}

function resolveAccounts(o: SimulatorOptions): AccountOptions[] {
  const base = (o.accounts ?? DEFAULT_ACCOUNTS).map((a) => ({ ...a }));
  const demo = base[0];
  if (demo && !o.accounts) {
    if (o.things !== undefined) demo.things = o.things;
    if (o.seed !== undefined) demo.seed = o.seed;
    if (o.indexing !== undefined) {
      demo.indexing = { thingIndexingMode: o.indexing, thingConnectivityIndexingMode: o.indexing === 'OFF' ? 'OFF' : 'STATUS' };
    }
  }
  return base;
}

export class Simulator {
  readonly clock: SimClock;
  iam: IamStore;
  readonly quotas: QuotaManager;
  readonly settings: SimulatorSettings;
  readonly accounts = new Map<string, Account>();
  counters: Counters = emptyCounters();
  readonly rulesEngine: RulesEngine;
  private readonly seedMs = new Map<string, number>();

  constructor(private readonly options: SimulatorOptions = {}) {
    this.clock = new SimClock(options.clock?.startMs, options.clock?.scale ?? 1);
    this.settings = this.initialSettings();
    this.quotas = new QuotaManager(this.settings.quotas);
    this.iam = this.initialIam();
    for (const a of resolveAccounts(options)) this.createAccount(a);
    this.rulesEngine = new RulesEngine(this.settings.rules, () => this.accounts.values(), () => this.now(), () => this.counters.rules);
    this.rulesEngine.start();
  }

  private initialSettings(): SimulatorSettings {
    const o = this.options;
    const behaviour = defaultBehaviour();
    const { jobs, ...rest } = o.behaviour ?? {};
    return {
      behaviour: { ...behaviour, ...rest, jobs: { ...behaviour.jobs, ...jobs } },
      timestream: { ...defaultTimestream(), ...o.timestream },
      quotas: { ...defaultQuotas(), ...o.quotas },
      faults: { ...defaultFaults(), ...o.faults },
      indexBuildMs: o.indexBuildMs ?? 0,
      rules: { ...defaultRulesSettings(), ...o.rules },
    };
  }

  private initialIam(): IamStore {
    const roles = (this.options.roles ?? DEFAULT_ROLES).map((r) =>
      r.roleArn === DEMO_ROLE_ARN && this.options.externalId !== undefined ? { ...r, externalId: this.options.externalId } : r,
    );
    return new IamStore(this.options.keys ?? DEFAULT_KEYS, roles);
  }

  private key(accountId: string, region: string): string {
    return `${accountId}/${region}`;
  }

  private createAccount(a: AccountOptions): Account {
    const region = a.region ?? DEMO_REGION;
    if (!/^\d{12}$/.test(a.accountId)) throw new RangeError(`account ids are 12 digits: ${a.accountId}`);
    if (!KNOWN_REGIONS.includes(region)) throw new RangeError(`unknown region ${region}`);
    const started = performance.now();
    const account = new Account(
      a.accountId,
      region,
      { things: a.things ?? 0, seed: a.seed ?? 1 },
      this.clock.now(),
      this.settings.behaviour,
      { ...defaultIndexing(), ...a.indexing },
      { database: a.timestreamDatabase, table: a.timestreamTable },
    );
    this.seedMs.set(this.key(a.accountId, region), performance.now() - started);
    this.accounts.set(this.key(a.accountId, region), account);
    return account;
  }

  /**
   * The account a request lands on. Regions without a configured fleet exist but are empty
   * (indexing OFF), like a real account in a region it never used.
   */
  account(accountId: string, region: string): Account {
    const existing = this.accounts.get(this.key(accountId, region));
    if (existing) return existing;
    return this.createAccount({ accountId, region, things: 0, seed: 1, indexing: defaultIndexing('OFF') });
  }

  private accountFor(accountId: string, region?: string): Account {
    if (region) return this.account(accountId, region);
    const found = [...this.accounts.values()].find((a) => a.accountId === accountId && a.fleet.count > 0);
    return found ?? this.account(accountId, DEMO_REGION);
  }

  // --- control surface ---------------------------------------------------------------------------

  now(): number {
    return this.clock.now();
  }

  /** Lets simulated time pass (jobs progress, devices converge, telemetry grows). */
  advanceTime(ms: number): number {
    return this.clock.advance(ms);
  }

  setTimeScale(scale: number): void {
    this.clock.setScale(scale);
  }

  /** Back to the start-up configuration: fleets reseeded, jobs/shadow writes/sessions/counters cleared. */
  reset(): void {
    this.accounts.clear();
    const fresh = this.initialSettings();
    // The engine holds the rules settings object: reset it in place.
    Object.assign(this.settings.rules, fresh.rules);
    fresh.rules = this.settings.rules;
    Object.assign(this.settings, fresh);
    this.rulesEngine.start();
    this.quotas.update(this.settings.quotas);
    this.iam = this.initialIam();
    this.counters = emptyCounters();
    for (const a of resolveAccounts(this.options)) this.createAccount(a);
  }

  seed(accountId: string, opts: { things: number; seed: number; region?: string }): AccountSummary {
    const region = opts.region ?? this.accountFor(accountId).region;
    const existing = this.accounts.get(this.key(accountId, region));
    if (existing) {
      const started = performance.now();
      existing.reseed({ things: opts.things, seed: opts.seed }, this.clock.now());
      this.seedMs.set(this.key(accountId, region), performance.now() - started);
      return this.summary(existing);
    }
    return this.summary(this.createAccount({ accountId, region, things: opts.things, seed: opts.seed }));
  }

  addThings(accountId: string, count: number, region?: string): AccountSummary {
    const account = this.accountFor(accountId, region);
    account.settle(this.now());
    account.fleet.grow(count);
    account.jobs.advanceAll(this.now());
    return this.summary(account);
  }

  removeThings(accountId: string, thingNames: string[], region?: string): { removed: string[] } {
    const account = this.accountFor(accountId, region);
    account.settle(this.now());
    const removed = thingNames.filter((n) => account.fleet.remove(account.fleet.indexOf(n)));
    account.jobs.advanceAll(this.now());
    return { removed };
  }

  setIndexing(accountId: string, cfg: Partial<IndexingSettings>, region?: string): IndexingSettings {
    const account = this.accountFor(accountId, region);
    const merged = { ...account.indexing, ...cfg };
    applyIndexingUpdate(
      account,
      {
        thingIndexingMode: merged.thingIndexingMode,
        thingConnectivityIndexingMode: merged.thingConnectivityIndexingMode,
        namedShadowIndexingMode: merged.namedShadowIndexingMode,
        customFields: merged.customFields,
        filter: { namedShadowNames: merged.namedShadowNames },
      },
      this.now(),
      this.settings.indexBuildMs,
    );
    return account.indexing;
  }

  setTimestreamTable(accountId: string, database: string, table: string, region?: string): void {
    const account = this.accountFor(accountId, region);
    account.timestreamDatabase = database;
    account.timestreamTable = table;
  }

  /** Merges the given settings; `rates`, when given, replaces all per-operation overrides. */
  setQuotas(q: Partial<QuotaSettings>): QuotaSettings {
    this.settings.quotas = { ...this.settings.quotas, ...q };
    this.quotas.update(this.settings.quotas);
    return this.settings.quotas;
  }

  setFaults(f: Partial<FaultSettings>): FaultSettings {
    this.settings.faults = { ...this.settings.faults, ...f };
    return this.settings.faults;
  }

  /** Device and job behaviour; fleet shares (dead/flaky) apply at the next seed. */
  setBehaviour(b: Partial<Omit<BehaviourSettings, 'jobs'>> & { jobs?: Partial<JobBehaviour> }): BehaviourSettings {
    const { jobs, ...rest } = b;
    // Mutated in place: accounts hold a reference to this object.
    Object.assign(this.settings.behaviour, rest);
    Object.assign(this.settings.behaviour.jobs, jobs);
    return this.settings.behaviour;
  }

  setTimestreamSettings(t: Partial<TimestreamSettings>): TimestreamSettings {
    this.settings.timestream = { ...this.settings.timestream, ...t };
    return this.settings.timestream;
  }

  // --- device behaviour controls -----------------------------------------------------------------

  private selectThings(account: Account, sel: DeviceSelector): number[] {
    const fleet = account.fleet;
    if (sel.thingNames) {
      const indexes = sel.thingNames.map((n) => fleet.indexOf(n));
      const unknown = sel.thingNames.filter((_, i) => indexes[i]! < 0);
      if (unknown.length > 0) throw new RangeError(`unknown things: ${unknown.slice(0, 10).join(', ')}`);
      return [...new Set(indexes)];
    }
    if (sel.prefix === undefined && sel.group === undefined && sel.count === undefined) {
      throw new RangeError('choose devices with thingNames, prefix, group and/or count');
    }
    if (sel.group !== undefined && !account.groupExists(sel.group)) throw new RangeError(`unknown thing group ${sel.group}`);
    const out: number[] = [];
    const limit = sel.count ?? Infinity;
    for (let i = 0; i < fleet.count && out.length < limit; i++) {
      if (!fleet.exists(i)) continue;
      if (sel.prefix !== undefined && !fleet.name(i).startsWith(sel.prefix)) continue;
      if (sel.group !== undefined && !account.isMember(i, sel.group, true)) continue;
      out.push(i);
    }
    return out;
  }

  /** Applies a control to the selected things after settling jobs with the behaviour so far. */
  private control(accountId: string, sel: DeviceSelector, apply: (account: Account, index: number, now: number) => boolean, at?: number): ControlResult {
    const account = this.accountFor(accountId, sel.region);
    const now = this.now();
    account.settle(now);
    const indexes = this.selectThings(account, sel);
    const names = indexes.filter((i) => apply(account, i, now) && (account.rules.markDirty(i), true)).map((i) => account.fleet.name(i));
    return { thingNames: names, atMs: at ?? now };
  }

  /** Disconnects devices now: connectivity false with the reason, the shadow stops updating. */
  takeDevicesOffline(accountId: string, sel: DeviceSelector, reason = 'CONNECTION_LOST'): ControlResult {
    if (!DISCONNECT_REASONS.includes(reason)) throw new RangeError(`reason must be one of ${DISCONNECT_REASONS.join(', ')}`);
    return this.control(accountId, sel, (a, i, now) => a.fleet.controls.takeOffline(i, now, reason));
  }

  /** Ends a hold from takeDevicesOffline (a device in a natural offline window stays offline until it ends). */
  bringDevicesOnline(accountId: string, sel: DeviceSelector): ControlResult {
    return this.control(accountId, sel, (a, i, now) => a.fleet.controls.bringOnline(i, now) && (a.jobs.resumeThing(i, now), true));
  }

  /** Battery falls from its current level by `ratePerHour` percentage points per hour (down to 0). */
  drainBattery(accountId: string, sel: DeviceSelector, opts: { ratePerHour: number; durationMs?: number }): ControlResult {
    const effect = effectFor({ kind: 'drain', ...opts }, this.now(), this.settings.behaviour.reportIntervalMs);
    return this.control(accountId, sel, (a, i) => (a.fleet.controls.addEffect(i, effect), true), effect.startMs);
  }

  /**
   * Injects an anomaly into a metric from now: `spike` (a `value` or `delta` for `durationMs`, default one
   * report interval so the shadow shows it), `shift` (+`delta`), `drift` (`ratePerHour`), `stuck` (the
   * current value, or `value`). All but spike last until cleared unless `durationMs` is given.
   */
  injectAnomaly(accountId: string, sel: DeviceSelector, opts: AnomalyOptions): ControlResult {
    const effect = effectFor(opts, this.now(), this.settings.behaviour.reportIntervalMs);
    return this.control(accountId, sel, (a, i) => (a.fleet.controls.addEffect(i, effect), true), effect.startMs);
  }

  /**
   * Devices that install `firmware` through a job misbehave from that moment (a bad build): their battery
   * drains, they drop offline, or a metric goes wrong. Replaces the account's rules; [] removes them.
   */
  setFirmwareBehaviour(accountId: string, rules: FirmwareRule[], region?: string): FirmwareRule[] {
    for (const r of rules) {
      if (r.effect.kind !== 'offline') effectFor(r.effect, this.now(), this.settings.behaviour.reportIntervalMs);
      else if (r.effect.reason !== undefined && !DISCONNECT_REASONS.includes(r.effect.reason)) throw new RangeError(`unknown disconnect reason ${r.effect.reason}`);
    }
    const account = this.accountFor(accountId, region);
    account.settle(this.now());
    account.firmwareRules = rules.map((r) => structuredClone(r));
    return account.firmwareRules;
  }

  firmwareBehaviour(accountId: string, region?: string): FirmwareRule[] {
    return this.accountFor(accountId, region).firmwareRules;
  }

  /**
   * Ends controls now: all of them, or only `kinds` ('offline', 'drain', 'spike', …), for the selected things
   * or (no selector) the whole account. History stays: past points keep their injected values.
   */
  clearDeviceControls(accountId: string, sel: DeviceSelector = {}, kinds?: ControlKind[]): ControlResult {
    const account = this.accountFor(accountId, sel.region);
    const bySelector = sel.thingNames !== undefined || sel.prefix !== undefined || sel.group !== undefined || sel.count !== undefined;
    const effectKinds = kinds?.filter((k): k is AnomalyKind => k !== 'offline');
    const offline = !kinds || kinds.includes('offline');
    const apply = (a: Account, i: number, now: number) => {
      const wasOffline = offline && a.fleet.controls.bringOnline(i, now);
      if (wasOffline) a.jobs.resumeThing(i, now);
      const ended = effectKinds && effectKinds.length === 0 ? 0 : a.fleet.controls.endEffects(i, now, effectKinds);
      return wasOffline || ended > 0;
    };
    if (bySelector) return this.control(accountId, sel, apply);
    const now = this.now();
    account.settle(now);
    const names = [...account.fleet.controls.active(now).keys()]
      .sort((x, y) => x - y)
      .filter((i) => apply(account, i, now) && (account.rules.markDirty(i), true))
      .map((i) => account.fleet.name(i));
    return { thingNames: names, atMs: now };
  }

  /** Controls in force now, per thing (name order). */
  listDeviceControls(accountId: string, region?: string): ThingControlSummary[] {
    const account = this.accountFor(accountId, region);
    return [...account.fleet.controls.active(this.now())]
      .filter(([i]) => account.fleet.exists(i))
      .sort((a, b) => a[0] - b[0])
      .map(([i, view]) => ({ thingName: account.fleet.name(i), ...view }));
  }

  putKey(key: KeyConfig): void {
    this.iam.putKey(key);
  }

  putRole(role: RoleConfig): void {
    this.iam.putRole(role);
  }

  getCounters(): Counters {
    return structuredClone(this.counters);
  }

  resetCounters(): void {
    this.counters = emptyCounters();
    for (const a of this.accounts.values()) for (const r of a.rules.rules.values()) r.counters = emptyRuleCounters();
  }

  // --- rules engine ------------------------------------------------------------------------------

  /**
   * Generates the fleet's messages up to the current simulated time, delivers them through the rules'
   * HTTP actions (and pending destination confirmations), and resolves when every attempt has finished.
   */
  flushRules(): Promise<RuleTotals> {
    return this.rulesEngine.flush();
  }

  setRulesSettings(s: Partial<RulesSettings>): RulesSettings {
    Object.assign(this.settings.rules, s);
    this.rulesEngine.start();
    return this.settings.rules;
  }

  rulesView(): RulesView {
    return {
      settings: this.settings.rules,
      totals: structuredClone(this.counters.rules),
      accounts: [...this.accounts.values()]
        .filter((a) => a.rules.rules.size > 0 || a.rules.destinations.size > 0)
        .map((a) => ({
          accountId: a.accountId,
          region: a.region,
          queued: a.rules.queue.length,
          rules: [...a.rules.rules.values()].map((r) => ({
            ruleName: r.ruleName,
            topicFilter: r.parsed.topicFilter,
            ruleDisabled: r.ruleDisabled,
            counters: structuredClone(r.counters),
          })),
          destinations: [...a.rules.destinations.values()].map((d) => ({
            arn: d.arn,
            confirmationUrl: d.confirmationUrl,
            status: d.status,
            ...(d.statusReason ? { statusReason: d.statusReason } : {}),
          })),
        })),
    };
  }

  /** Stops the rules engine's timer (the server calls it on close). */
  dispose(): void {
    this.rulesEngine.stop();
  }

  count(kind: 'calls' | 'throttled', operation: string, accountId: string | null): void {
    this.counters[kind][operation] = (this.counters[kind][operation] ?? 0) + 1;
    if (accountId) {
      const a = (this.counters.byAccount[accountId] ??= { calls: {}, throttled: {} });
      a[kind][operation] = (a[kind][operation] ?? 0) + 1;
    }
  }

  countError(code: string): void {
    this.counters.errors[code] = (this.counters.errors[code] ?? 0) + 1;
  }

  summary(account: Account): AccountSummary {
    return {
      accountId: account.accountId,
      region: account.region,
      things: account.fleet.count,
      seed: account.seedInfo.seed,
      indexing: account.indexing,
      timestream: { database: account.timestreamDatabase, table: account.timestreamTable },
      jobs: account.jobs.jobs.size,
      seedMs: Math.round((this.seedMs.get(this.key(account.accountId, account.region)) ?? 0) * 10) / 10,
    };
  }

  listAccounts(): AccountSummary[] {
    return [...this.accounts.values()].filter((a) => a.fleet.count > 0 || a.jobs.jobs.size > 0).map((a) => this.summary(a));
  }

  /** Account used by shortcuts such as `seedDemo`. */
  get demoAccountId(): string {
    return (this.options.accounts ?? DEFAULT_ACCOUNTS)[0]?.accountId ?? DEMO_ACCOUNT_ID;
  }
}
