// State of one simulated AWS account in one region: its fleet, shadows, jobs, indexing configuration
// and Timestream table names.

import {
  DEFAULT_TIMESTREAM_DATABASE,
  DEFAULT_TIMESTREAM_TABLE,
  defaultIndexing,
  type BehaviourSettings,
  type IndexingSettings,
} from './config';
import { effectFor, type FirmwareRule } from './controls';
import { Fleet, THING_GROUPS } from './fleet';
import { hashString } from './hash';
import { JobStore } from './jobs';
import { RuleStore } from './rules';
import { ShadowStore } from './shadow';

export interface AccountSeed {
  things: number;
  seed: number;
}

export class Account {
  fleet!: Fleet;
  shadows!: ShadowStore;
  jobs!: JobStore;
  indexing: IndexingSettings;
  /** Simulated time from which the index answers again after an indexing change (building). */
  indexReadyAt = 0;
  timestreamDatabase: string;
  timestreamTable: string;
  readonly arnPrefix: string;
  readonly endpointPrefix: string;
  seedInfo: AccountSeed;
  /** Devices that install one of these firmware versions start misbehaving (admin API). */
  firmwareRules: FirmwareRule[] = [];
  /** Topic rules, HTTP destinations and their delivery queue (survive reseeding, like AWS resources). */
  readonly rules: RuleStore = new RuleStore(this);

  constructor(
    readonly accountId: string,
    readonly region: string,
    seed: AccountSeed,
    now: number,
    readonly behaviour: BehaviourSettings,
    indexing: Partial<IndexingSettings> = {},
    timestream: { database?: string; table?: string } = {},
  ) {
    this.arnPrefix = `arn:aws:iot:${region}:${accountId}`;
    const h = hashString(`${accountId}/${region}`).toString(36) + hashString(`${region}/${accountId}`).toString(36);
    this.endpointPrefix = `a${h}`.slice(0, 14);
    this.indexing = { ...defaultIndexing(), ...indexing };
    this.timestreamDatabase = timestream.database ?? DEFAULT_TIMESTREAM_DATABASE;
    this.timestreamTable = timestream.table ?? DEFAULT_TIMESTREAM_TABLE;
    this.seedInfo = seed;
    this.reseed(seed, now);
  }

  /** Replaces the fleet (and with it shadows and jobs) by a fresh deterministic one. */
  reseed(seed: AccountSeed, now: number): void {
    // Align the epoch to the minute so report ticks coincide with telemetry points.
    const epoch = Math.floor(now / 60_000) * 60_000;
    this.seedInfo = seed;
    this.fleet = new Fleet(seed.seed, seed.things, epoch, this.behaviour);
    this.shadows = new ShadowStore(this.fleet, this.behaviour);
    this.jobs = new JobStore(this.fleet, this.arnPrefix, () => this.behaviour.jobs, {
      isMember: (index, group) => this.isMember(index, group, true),
      onSucceeded: (index, job, at) => {
        const doc = job.documentJson();
        const firmware = doc?.firmware ?? doc?.firmwareVersion;
        if (typeof firmware !== 'string') return;
        this.shadows.deviceReport(index, { firmware }, at);
        this.applyFirmwareRules(index, firmware, at);
      },
    });
    this.rules.fleetReplaced(now);
  }

  private applyFirmwareRules(index: number, firmware: string, at: number): void {
    for (const { firmware: version, effect } of this.firmwareRules) {
      if (version !== firmware) continue;
      if (effect.kind === 'offline') {
        this.fleet.controls.takeOffline(index, at, effect.reason ?? 'CONNECTION_LOST');
        this.rules.markDirty(index);
      }
      else this.fleet.controls.addEffect(index, effectFor(effect, at, this.behaviour.reportIntervalMs));
    }
  }

  /** Brings time-dependent state (jobs, and through them shadows) up to `now`. */
  settle(now: number): void {
    this.jobs.advanceAll(now);
  }

  thingArn(name: string): string {
    return `${this.arnPrefix}:thing/${name}`;
  }

  groupArn(name: string): string {
    return `${this.arnPrefix}:thinggroup/${name}`;
  }

  groupExists(name: string): boolean {
    return this.fleet.count > 0 && THING_GROUPS.some((g) => g.name === name);
  }

  /** Direct membership, or (recursive) membership of a descendant group. */
  isMember(index: number, group: string, recursive: boolean): boolean {
    const direct = this.fleet.groupName(index);
    if (direct === group) return true;
    if (!recursive) return false;
    let parent = THING_GROUPS.find((g) => g.name === direct)?.parent ?? null;
    while (parent) {
      if (parent === group) return true;
      const p: string = parent;
      parent = THING_GROUPS.find((g) => g.name === p)?.parent ?? null;
    }
    return false;
  }

  dataEndpoint(type: string): string | null {
    const host = `${this.endpointPrefix}`;
    switch (type) {
      case 'iot:Data-ATS':
        return `${host}-ats.iot.${this.region}.amazonaws.com`;
      case 'iot:Data':
        return `${host}.iot.${this.region}.amazonaws.com`;
      case 'iot:CredentialProvider':
        return `${host}.credentials.iot.${this.region}.amazonaws.com`;
      case 'iot:Jobs':
        return `${host}.jobs.iot.${this.region}.amazonaws.com`;
      default:
        return null;
    }
  }
}
