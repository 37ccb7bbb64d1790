// IoT Jobs engine. Each job is a small discrete-event simulation advanced lazily to the simulated time
// of the request that looks at it: notifications at the rollout rate, devices starting when online,
// results after a run time, timeouts, retries and abort criteria.

import type { JobBehaviour } from './config';
import { invalidRequest } from './errors';
import type { Fleet } from './fleet';
import { hash4, hashString, unit } from './hash';

export const EXECUTION_STATUSES = [
  'QUEUED',
  'IN_PROGRESS',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'REJECTED',
  'REMOVED',
  'CANCELED',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const JOB_STATUSES = ['IN_PROGRESS', 'CANCELED', 'COMPLETED', 'DELETION_IN_PROGRESS', 'SCHEDULED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const QUEUED = 0;
const IN_PROGRESS = 1;
const SUCCEEDED = 2;
const FAILED = 3;
const TIMED_OUT = 4;
const REJECTED = 5;
const REMOVED = 6;
const CANCELED = 7;

const START = 0;
const END = 1;

export interface RolloutConfig {
  maximumPerMinute?: number;
  exponentialRate?: {
    baseRatePerMinute: number;
    incrementFactor: number;
    rateIncreaseCriteria: { numberOfNotifiedThings?: number; numberOfSucceededThings?: number };
  };
}
export interface AbortCriteria {
  failureType: 'FAILED' | 'REJECTED' | 'TIMED_OUT' | 'ALL';
  action: 'CANCEL';
  thresholdPercentage: number;
  minNumberOfExecutedThings: number;
}
export interface RetryCriteria {
  failureType: 'FAILED' | 'TIMED_OUT' | 'ALL';
  numberOfRetries: number;
}

export interface JobSpec {
  jobId: string;
  targets: string[];
  /** Fleet indexes of directly targeted things. */
  thingTargets: number[];
  /** Names of targeted thing groups; membership is resolved through `isMember`. */
  groupTargets: string[];
  document?: string;
  documentSource?: string;
  description?: string;
  targetSelection: 'SNAPSHOT' | 'CONTINUOUS';
  rollout?: RolloutConfig;
  abortCriteria?: AbortCriteria[];
  inProgressTimeoutMinutes?: number;
  retryCriteria?: RetryCriteria[];
}

export interface JobHooks {
  isMember(index: number, group: string): boolean;
  /** Called when an execution succeeds, e.g. to report the new firmware in the shadow. */
  onSucceeded(index: number, job: Job, at: number): void;
}

/** Binary min-heap of (time, sequence) → execution event; the sequence keeps ties deterministic. */
class EventQueue {
  private time: number[] = [];
  private seq: number[] = [];
  private exec: number[] = [];
  private kind: number[] = [];
  private counter = 0;

  get size(): number {
    return this.time.length;
  }
  peekTime(): number {
    return this.time[0] ?? Infinity;
  }
  push(time: number, exec: number, kind: number): void {
    this.time.push(time);
    this.seq.push(this.counter++);
    this.exec.push(exec);
    this.kind.push(kind);
    let i = this.time.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): { time: number; exec: number; kind: number } {
    const out = { time: this.time[0]!, exec: this.exec[0]!, kind: this.kind[0]! };
    const last = this.time.length - 1;
    this.swap(0, last);
    this.time.pop();
    this.seq.pop();
    this.exec.pop();
    this.kind.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.time.length && this.less(l, m)) m = l;
      if (r < this.time.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return out;
  }
  private less(a: number, b: number): boolean {
    const ta = this.time[a]!;
    const tb = this.time[b]!;
    return ta < tb || (ta === tb && this.seq[a]! < this.seq[b]!);
  }
  private swap(a: number, b: number): void {
    for (const arr of [this.time, this.seq, this.exec, this.kind]) {
      const t = arr[a]!;
      arr[a] = arr[b]!;
      arr[b] = t;
    }
  }
}

export class Job {
  status: JobStatus = 'IN_PROGRESS';
  forceCanceled = false;
  reasonCode?: string;
  comment?: string;
  completedAt?: number;
  lastUpdatedAt: number;
  readonly arn: string;
  readonly key: number;

  // One entry per execution, in target order.
  readonly thing: number[] = [];
  readonly execStatus: number[] = [];
  readonly queuedAt: number[] = [];
  readonly startedAt: number[] = [];
  readonly updatedAt: number[] = [];
  readonly attempt: number[] = [];
  private readonly byThing = new Map<number, number>();
  readonly counts = new Array<number>(EXECUTION_STATUSES.length).fill(0);

  private readonly events = new EventQueue();
  /** QUEUED executions of devices held offline with no known return. */
  private readonly parked = new Set<number>();
  private notified = 0;
  private nextNotifyAt: number;
  private rate: number;
  private notifiedSinceIncrease = 0;
  private succeededSinceIncrease = 0;
  private advancedTo: number;
  private scannedThings = 0;
  private seenGeneration = -1;

  constructor(
    readonly spec: JobSpec,
    readonly createdAt: number,
    arnPrefix: string,
    private readonly behaviour: JobBehaviour,
    private readonly fleet: Fleet,
    private readonly hooks: JobHooks,
  ) {
    this.arn = `${arnPrefix}:job/${spec.jobId}`;
    this.key = hashString(this.arn);
    this.lastUpdatedAt = createdAt;
    this.advancedTo = createdAt;
    this.nextNotifyAt = createdAt;
    const exp = spec.rollout?.exponentialRate;
    this.rate = exp ? exp.baseRatePerMinute : (spec.rollout?.maximumPerMinute ?? behaviour.defaultMaximumPerMinute);
    for (const index of spec.thingTargets) this.addExecution(index, createdAt);
    this.syncMembers(createdAt);
    this.checkCompletion(createdAt);
  }

  get executionCount(): number {
    return this.thing.length;
  }

  /** Job document as JSON, when it is one. */
  documentJson(): Record<string, unknown> | undefined {
    if (!this.spec.document) return undefined;
    try {
      const v: unknown = JSON.parse(this.spec.document);
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  executionIndexOf(thingIndex: number): number {
    return this.byThing.get(thingIndex) ?? -1;
  }

  statusOf(exec: number): ExecutionStatus {
    return EXECUTION_STATUSES[this.execStatus[exec] ?? 0] ?? 'QUEUED';
  }

  private addExecution(thingIndex: number, at: number): void {
    if (this.byThing.has(thingIndex) || !this.fleet.exists(thingIndex)) return;
    this.byThing.set(thingIndex, this.thing.length);
    this.thing.push(thingIndex);
    this.execStatus.push(QUEUED);
    this.queuedAt.push(at);
    this.startedAt.push(NaN);
    this.updatedAt.push(at);
    this.attempt.push(0);
    this.counts[QUEUED]!++;
  }

  private setStatus(exec: number, status: number, at: number): void {
    this.counts[this.execStatus[exec]!]!--;
    this.counts[status]!++;
    this.execStatus[exec] = status;
    this.updatedAt[exec] = at;
    this.lastUpdatedAt = Math.max(this.lastUpdatedAt, at);
  }

  /** Adds executions for new group members (both selections at creation, CONTINUOUS afterwards). */
  syncMembers(at: number): void {
    if (this.spec.groupTargets.length === 0 || this.fleet.generation === this.seenGeneration) return;
    const first = this.seenGeneration < 0 || this.spec.targetSelection === 'CONTINUOUS';
    if (!first) return;
    for (let i = this.scannedThings; i < this.fleet.count; i++) {
      if (this.spec.groupTargets.some((g) => this.hooks.isMember(i, g))) this.addExecution(i, at);
    }
    if (this.spec.targetSelection === 'CONTINUOUS' && this.seenGeneration >= 0) {
      // Things that left the fleet are REMOVED from a continuous job while still queued.
      for (let e = 0; e < this.thing.length; e++) {
        if (this.execStatus[e] === QUEUED && !this.fleet.exists(this.thing[e]!)) this.setStatus(e, REMOVED, at);
      }
    }
    this.scannedThings = this.fleet.count;
    this.seenGeneration = this.fleet.generation;
    if (this.status === 'IN_PROGRESS' && this.notified < this.thing.length) {
      this.nextNotifyAt = Math.max(this.nextNotifyAt, at);
    }
  }

  get isActive(): boolean {
    return this.status === 'IN_PROGRESS' || this.counts[IN_PROGRESS]! > 0 || this.events.size > 0;
  }

  private rand(exec: number, salt: number): number {
    return unit(hash4(this.key, this.thing[exec]!, this.attempt[exec]!, salt));
  }

  private between([min, max]: [number, number], u: number): number {
    return Math.floor(min + u * (max - min));
  }

  /** The device picks the execution up once it is online, after a short delay. */
  private scheduleStart(exec: number, at: number): void {
    const online = this.fleet.firstOnlineAtOrAfter(this.thing[exec]!, at);
    if (online === Infinity) {
      // Held offline until further notice (admin API): picked up again by resumeThing.
      if (this.fleet.controls.offlineWindows(this.thing[exec]!)) this.parked.add(exec);
      return;
    }
    this.events.push(online + this.between(this.behaviour.pickupMs, this.rand(exec, 1)), exec, START);
  }

  /** A device's hold ended at `at`: its parked executions are scheduled again. */
  resumeThing(index: number, at: number): void {
    for (const exec of [...this.parked]) {
      if (this.thing[exec] !== index) continue;
      this.parked.delete(exec);
      if (this.execStatus[exec] === QUEUED && this.status !== 'CANCELED') this.scheduleStart(exec, at);
    }
  }

  advance(to: number): void {
    if (to <= this.advancedTo) return;
    for (;;) {
      const canNotify = this.status === 'IN_PROGRESS' && this.notified < this.thing.length;
      const notifyAt = canNotify ? this.nextNotifyAt : Infinity;
      const eventAt = this.events.peekTime();
      const t = Math.min(notifyAt, eventAt);
      if (t > to) break;
      if (notifyAt <= eventAt) this.notifyNext(Math.floor(t));
      else {
        const ev = this.events.pop();
        if (ev.kind === START) this.start(ev.exec, Math.floor(ev.time));
        else this.finish(ev.exec, Math.floor(ev.time));
      }
    }
    this.advancedTo = to;
  }

  private notifyNext(at: number): void {
    const exec = this.notified++;
    this.notifiedSinceIncrease++;
    if (this.execStatus[exec] === QUEUED) this.scheduleStart(exec, at);
    this.maybeIncreaseRate();
    this.nextNotifyAt += 60_000 / this.rate;
  }

  private maybeIncreaseRate(): void {
    const exp = this.spec.rollout?.exponentialRate;
    if (!exp) return;
    const c = exp.rateIncreaseCriteria;
    const hit =
      (c.numberOfNotifiedThings !== undefined && this.notifiedSinceIncrease >= c.numberOfNotifiedThings) ||
      (c.numberOfSucceededThings !== undefined && this.succeededSinceIncrease >= c.numberOfSucceededThings);
    if (!hit) return;
    const max = this.spec.rollout?.maximumPerMinute ?? 1000;
    this.rate = Math.min(max, this.rate * exp.incrementFactor);
    this.notifiedSinceIncrease = 0;
    this.succeededSinceIncrease = 0;
  }

  private start(exec: number, at: number): void {
    if (this.execStatus[exec] !== QUEUED || this.status === 'CANCELED') return;
    // A device held offline (admin API) after its pick-up was scheduled picks the job up once it is back.
    const thing = this.thing[exec]!;
    if (this.fleet.controls.offlineWindows(thing) && !this.fleet.connectivityAt(thing, at).connected) {
      this.scheduleStart(exec, at);
      return;
    }
    this.setStatus(exec, IN_PROGRESS, at);
    this.startedAt[exec] = at;
    const run = this.between(this.behaviour.runMs, this.rand(exec, 2));
    const timeout = this.spec.inProgressTimeoutMinutes;
    const end = timeout !== undefined && run > timeout * 60_000 ? at + timeout * 60_000 : at + run;
    this.events.push(end, exec, END);
  }

  private finish(exec: number, at: number): void {
    if (this.execStatus[exec] !== IN_PROGRESS) return;
    const timeout = this.spec.inProgressTimeoutMinutes;
    const timedOut = timeout !== undefined && at - this.startedAt[exec]! >= timeout * 60_000;
    const outcome = timedOut ? TIMED_OUT : this.rand(exec, 3) < this.behaviour.failureRate ? FAILED : SUCCEEDED;
    if (outcome !== SUCCEEDED && this.status === 'IN_PROGRESS' && this.retriesLeft(exec, outcome)) {
      // A retry is a fresh attempt of the same execution: back to QUEUED, picked up again when online.
      this.attempt[exec]!++;
      this.setStatus(exec, QUEUED, at);
      this.scheduleStart(exec, at);
      return;
    }
    this.setStatus(exec, outcome, at);
    if (outcome === SUCCEEDED) {
      this.succeededSinceIncrease++;
      this.maybeIncreaseRate();
      this.hooks.onSucceeded(this.thing[exec]!, this, at);
    }
    this.checkAbort(at);
    this.checkCompletion(at);
  }

  private retriesLeft(exec: number, outcome: number): boolean {
    const criteria = this.spec.retryCriteria ?? [];
    const type = outcome === TIMED_OUT ? 'TIMED_OUT' : 'FAILED';
    const allowed = criteria
      .filter((c) => c.failureType === type || c.failureType === 'ALL')
      .reduce((max, c) => Math.max(max, c.numberOfRetries), 0);
    return this.attempt[exec]! < allowed;
  }

  private checkAbort(at: number): void {
    if (this.status !== 'IN_PROGRESS') return;
    const c = this.counts;
    const executed = c[SUCCEEDED]! + c[FAILED]! + c[TIMED_OUT]! + c[REJECTED]!;
    for (const criteria of this.spec.abortCriteria ?? []) {
      const failures =
        criteria.failureType === 'FAILED'
          ? c[FAILED]!
          : criteria.failureType === 'TIMED_OUT'
            ? c[TIMED_OUT]!
            : criteria.failureType === 'REJECTED'
              ? c[REJECTED]!
              : c[FAILED]! + c[TIMED_OUT]! + c[REJECTED]!;
      if (executed >= criteria.minNumberOfExecutedThings && executed > 0 && (failures * 100) / executed >= criteria.thresholdPercentage) {
        const pct = Math.round((failures * 10_000) / executed) / 100;
        this.cancelQueued(at);
        this.status = 'CANCELED';
        this.completedAt = at;
        this.comment =
          `Job aborted: ${criteria.failureType} executions reached ${pct}% of ${executed} executed things ` +
          `(threshold ${criteria.thresholdPercentage}%).`;
        return;
      }
    }
  }

  private checkCompletion(at: number): void {
    if (this.status !== 'IN_PROGRESS' || this.spec.targetSelection === 'CONTINUOUS') return;
    if (this.counts[QUEUED]! === 0 && this.counts[IN_PROGRESS]! === 0) {
      this.status = 'COMPLETED';
      this.completedAt = at;
      this.lastUpdatedAt = Math.max(this.lastUpdatedAt, at);
    }
  }

  private cancelQueued(at: number): void {
    for (let e = 0; e < this.thing.length; e++) if (this.execStatus[e] === QUEUED) this.setStatus(e, CANCELED, at);
  }

  /** CancelJob: without force only QUEUED executions stop; IN_PROGRESS ones run to their result. */
  cancel(at: number, force: boolean, reasonCode?: string, comment?: string): void {
    this.advance(at);
    if (this.status === 'COMPLETED') throw invalidRequest(`Job ${this.spec.jobId} is already COMPLETED and cannot be canceled.`);
    if (this.status === 'CANCELED' && (!force || this.forceCanceled)) {
      throw invalidRequest(`Job ${this.spec.jobId} is already CANCELED.`);
    }
    this.cancelQueued(at);
    if (force) {
      for (let e = 0; e < this.thing.length; e++) if (this.execStatus[e] === IN_PROGRESS) this.setStatus(e, CANCELED, at);
      this.forceCanceled = true;
    }
    this.status = 'CANCELED';
    this.completedAt ??= at;
    this.lastUpdatedAt = at;
    if (reasonCode !== undefined) this.reasonCode = reasonCode;
    if (comment !== undefined) this.comment = comment;
  }

  processingTargets(): string[] {
    return this.status === 'IN_PROGRESS' ? [...this.spec.targets] : [];
  }
}

export class JobStore {
  readonly jobs = new Map<string, Job>();

  constructor(
    private readonly fleet: Fleet,
    private readonly arnPrefix: string,
    private readonly behaviour: () => JobBehaviour,
    private readonly hooks: JobHooks,
  ) {}

  create(spec: JobSpec, at: number): Job {
    this.advanceAll(at);
    const job = new Job(spec, at, this.arnPrefix, { ...this.behaviour() }, this.fleet, this.hooks);
    this.jobs.set(spec.jobId, job);
    return job;
  }

  get(jobId: string, at: number): Job | undefined {
    this.advanceAll(at);
    return this.jobs.get(jobId);
  }

  /** Jobs can change shadows (firmware), so every read of jobs or shadows first brings all jobs to `at`. */
  advanceAll(at: number): void {
    for (const job of this.jobs.values()) {
      if (!job.isActive) continue;
      job.syncMembers(at);
      job.advance(at);
    }
  }

  /** Called when a device's offline hold ends (after advanceAll up to `at`). */
  resumeThing(index: number, at: number): void {
    for (const job of this.jobs.values()) if (job.isActive) job.resumeThing(index, at);
  }

  activeCount(): number {
    let n = 0;
    for (const job of this.jobs.values()) if (job.status === 'IN_PROGRESS') n++;
    return n;
  }

  /** Newest first, as the console lists them (creation order breaks ties). */
  list(at: number): Job[] {
    this.advanceAll(at);
    return [...this.jobs.values()].reverse().sort((a, b) => b.createdAt - a.createdAt);
  }
}
