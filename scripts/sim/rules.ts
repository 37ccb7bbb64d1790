// AWS IoT rules engine of the simulator: topic rules and HTTP topic rule destinations per account, the
// messages the living fleet publishes (telemetry on every report tick while online, presence lifecycle
// events on every connect/disconnect), rule evaluation, and delivery through HTTP actions with AWS's
// batching limits, retries on 429/5xx and drops after the last try, all counted.
//
// Messages are generated from the fleet model between the last pump and now (simulated time), so with a
// frozen clock nothing happens until time is advanced or a device control changes connectivity; `flush()`
// pumps and waits until every attempt has finished, which lets tests await delivery deterministically.

import { randomBytes, randomUUID } from 'node:crypto';
import type { Account } from './account';
import { TELEMETRY_MEASURES } from './config';
import { hash3, hash4 } from './hash';
import type { JsonObject } from './json';
import { evaluateRule, topicMatches, type ParsedRuleSql } from './rules-sql';
import { telemetryPointAt, telemetryProfile } from './telemetry';

export type DestinationStatus = 'ENABLED' | 'IN_PROGRESS' | 'DISABLED' | 'ERROR' | 'DELETING';

export interface BatchConfig {
  maxBatchOpenMs: number;
  maxBatchSize: number;
  maxBatchSizeBytes: number;
  batchAcrossTopics: boolean;
}

/** AWS defaults (http_batching.html): 20 ms, 10 messages, 5120 bytes, same topic only. */
export const DEFAULT_BATCH: BatchConfig = { maxBatchOpenMs: 20, maxBatchSize: 10, maxBatchSizeBytes: 5120, batchAcrossTopics: false };

export interface HttpActionConfig {
  url: string;
  confirmationUrl?: string;
  headers: { key: string; value: string }[];
  /** Set when `enableBatching` is true; batchConfig alone does not turn batching on (as in AWS). */
  batch: BatchConfig | null;
}

export interface RuleCounters {
  /** Messages the rule's FROM and WHERE matched. */
  matched: number;
  /** Messages the endpoint acknowledged with a 2xx. */
  delivered: number;
  /** HTTP requests sent, including retries. */
  requests: number;
  /** Tries that failed (429, 5xx, timeout, connection error). */
  failedAttempts: number;
  retries: number;
  /** Messages given up on, per reason. */
  dropped: Record<string, number>;
  lastStatus: number | null;
  lastError: string | null;
  /** Simulated time of the last message the rule matched. */
  lastMatchAt: number | null;
}

export interface StoredRule {
  ruleName: string;
  sql: string;
  parsed: ParsedRuleSql;
  description: string;
  createdAt: number;
  ruleDisabled: boolean;
  awsIotSqlVersion: string;
  /** Actions as the caller sent them (echoed by GetTopicRule). */
  actions: JsonObject[];
  errorAction?: JsonObject;
  http: HttpActionConfig[];
  counters: RuleCounters;
}

export interface Destination {
  arn: string;
  confirmationUrl: string;
  status: DestinationStatus;
  statusReason?: string;
  createdAt: number;
  lastUpdatedAt: number;
  confirmationToken: string;
}

export interface RulesSettings {
  /** 'auto' pumps and delivers every pumpIntervalMs of real time; 'manual' only on flush(). */
  delivery: 'auto' | 'manual';
  pumpIntervalMs: number;
  /** Tries per request: AWS tries once and retries at most twice. */
  maxAttempts: number;
  /** Real-time back-off before retry n (doubling). */
  retryBackoffMs: number;
  requestTimeoutMs: number;
  /** Longest stretch of simulated time one pump generates messages for; older time is skipped (counted). */
  maxCatchUpMs: number;
  /** Messages waiting for delivery per account beyond which new ones are dropped (counted). */
  maxQueue: number;
  /** Parallel HTTP requests. */
  concurrency: number;
}

export function defaultRulesSettings(): RulesSettings {
  return {
    delivery: 'auto',
    pumpIntervalMs: 250,
    maxAttempts: 3,
    retryBackoffMs: 100,
    requestTimeoutMs: 3000,
    maxCatchUpMs: 3_600_000,
    maxQueue: 100_000,
    concurrency: 8,
  };
}

export interface RuleTotals {
  published: { telemetry: number; presence: number };
  matched: number;
  delivered: number;
  requests: number;
  failedAttempts: number;
  retries: number;
  dropped: Record<string, number>;
  confirmations: { sent: number; failed: number };
  /** Simulated milliseconds no messages were generated for (catch-up limit). */
  skippedMs: number;
}

export function emptyRuleTotals(): RuleTotals {
  return {
    published: { telemetry: 0, presence: 0 },
    matched: 0,
    delivered: 0,
    requests: 0,
    failedAttempts: 0,
    retries: 0,
    dropped: {},
    confirmations: { sent: 0, failed: 0 },
    skippedMs: 0,
  };
}

export function emptyRuleCounters(): RuleCounters {
  return { matched: 0, delivered: 0, requests: 0, failedAttempts: 0, retries: 0, dropped: {}, lastStatus: null, lastError: null, lastMatchAt: null };
}

interface Outgoing {
  rule: StoredRule;
  action: number;
  topic: string;
  body: string;
}

interface Message {
  t: number;
  topic: string;
  clientId: string;
  payload: JsonObject;
}

const UNKNOWN = 2;

/** Connectivity the rules engine has already announced, per thing (lifecycle events fire on changes). */
interface PumpState {
  fleet: Account['fleet'];
  processedUntil: number;
  connected: Uint8Array;
  versions: Float64Array;
  dirty: Set<number>;
}

function hex(h: number): string {
  return h.toString(16).padStart(8, '0');
}

/** Per account: rules, destinations, the fleet pump and the delivery queue. */
export class RuleStore {
  readonly rules = new Map<string, StoredRule>();
  readonly destinations = new Map<string, Destination>();
  queue: Outgoing[] = [];
  pendingConfirmations: Destination[] = [];
  private state: PumpState | null = null;

  constructor(private readonly account: Account) {}

  /** The destination an action URL uses: the one whose confirmation URL is a prefix of it. */
  destinationFor(url: string): Destination | undefined {
    let best: Destination | undefined;
    for (const d of this.destinations.values()) {
      if (url.startsWith(d.confirmationUrl) && (!best || d.confirmationUrl.length > best.confirmationUrl.length)) best = d;
    }
    return best;
  }

  createDestination(confirmationUrl: string, now: number): Destination {
    const d: Destination = {
      arn: `${this.account.arnPrefix}:ruledestination/http/${randomUUID()}`,
      confirmationUrl,
      status: 'IN_PROGRESS',
      createdAt: now,
      lastUpdatedAt: now,
      confirmationToken: randomBytes(48).toString('base64url'),
    };
    this.destinations.set(d.arn, d);
    this.pendingConfirmations.push(d);
    return d;
  }

  /** A new confirmation challenge (new token) for a destination set back to IN_PROGRESS. */
  rechallenge(d: Destination, now: number): void {
    d.status = 'IN_PROGRESS';
    delete d.statusReason;
    d.confirmationToken = randomBytes(48).toString('base64url');
    d.lastUpdatedAt = now;
    this.pendingConfirmations.push(d);
  }

  /** A new fleet (reseed): watch it from `now` on. */
  fleetReplaced(now: number): void {
    if (this.state) this.state = this.initState(now);
  }

  /** Connectivity of this thing may have changed outside the natural model (device controls). */
  markDirty(index: number): void {
    this.state?.dirty.add(index);
  }

  private active(): StoredRule[] {
    return [...this.rules.values()].filter((r) => !r.ruleDisabled);
  }

  private initState(now: number): PumpState {
    const fleet = this.account.fleet;
    const connected = new Uint8Array(fleet.count);
    for (let i = 0; i < fleet.count; i++) connected[i] = fleet.exists(i) && fleet.connectivityAt(i, now).connected ? 1 : 0;
    return { fleet, processedUntil: now, connected, versions: new Float64Array(fleet.count), dirty: new Set() };
  }

  /** Starts watching the fleet from `now` (first enabled rule) or stops (none left). */
  sync(now: number): void {
    if (this.active().length === 0) this.state = null;
    else if (!this.state || this.state.fleet !== this.account.fleet) this.state = this.initState(now);
  }

  /** Generates the fleet's messages in (processedUntil, now], matches them and queues deliveries. */
  pump(now: number, settings: RulesSettings, totals: RuleTotals): void {
    this.sync(now);
    const st = this.state;
    if (!st) return;
    const rules = this.active();
    const fleet = this.account.fleet;
    if (st.connected.length < fleet.count) {
      const grown = new Uint8Array(fleet.count).fill(UNKNOWN);
      grown.set(st.connected);
      st.connected = grown;
      const versions = new Float64Array(fleet.count);
      versions.set(st.versions);
      st.versions = versions;
    }
    let a = st.processedUntil;
    const b = now;
    if (b < a) return;
    if (b - a > settings.maxCatchUpMs) {
      totals.skippedMs += b - settings.maxCatchUpMs - a;
      a = b - settings.maxCatchUpMs;
    }
    const r = this.account.behaviour.reportIntervalMs;
    const epoch = fleet.epochMs;
    const messages: Message[] = [];
    // Report ticks are the same for every device (epoch + m × interval), so most pumps have none.
    const ticks: number[] = [];
    for (let t = epoch + (Math.floor((a - epoch) / r) + 1) * r; t <= b; t += r) ticks.push(t);
    const wantsTelemetry = (topic: string) => ticks.length > 0 && rules.some((rule) => topicMatches(rule.parsed.topicFilter, topic));
    for (let i = 0; i < fleet.count; i++) {
      if (!fleet.exists(i)) continue;
      if (st.connected[i] === UNKNOWN) st.connected[i] = fleet.connectivityAt(i, a).connected ? 1 : 0;
      const checks: { t: number; tick: boolean }[] = fleet.naturalChangeTimes(i, a, b).map((t) => ({ t, tick: false }));
      // Controls start at the simulated "now" of their call, which may equal `a` (already pumped): include it,
      // so a hold that begins and ends between two pumps still yields its disconnect and reconnect.
      for (const w of fleet.controls.offlineWindows(i) ?? []) {
        for (const t of [w.startMs, w.endMs]) if (t >= a && t <= b) checks.push({ t, tick: false });
      }
      if (st.dirty.has(i)) checks.push({ t: b, tick: false });
      if (checks.length === 0 && ticks.length === 0) continue;
      const name = fleet.name(i);
      const topic = `dt/${name}/telemetry`;
      if (wantsTelemetry(topic)) for (const t of ticks) checks.push({ t, tick: true });
      if (checks.length === 0) continue;
      checks.sort((x, y) => x.t - y.t || Number(x.tick) - Number(y.tick));
      const profile = telemetryProfile(name);
      for (const check of checks) {
        const c = fleet.connectivityAt(i, check.t);
        const was = st.connected[i] === 1;
        if (c.connected !== was) {
          // A dirty check runs at `b`; the change itself happened when the current stretch began.
          const at = check.t === b && st.dirty.has(i) ? Math.min(b, Math.max(a, c.sinceMs)) : check.t;
          st.connected[i] = c.connected ? 1 : 0;
          const version = ++st.versions[i]!;
          // A session is named after its connect: a disconnect reports the session that just ended.
          const sessionStart = c.connected ? at : fleet.connectivityAt(i, at - 1).sinceMs;
          messages.push(this.presence(i, name, c.connected, c.disconnectReason, at, sessionStart, version));
          totals.published.presence++;
        }
        if (check.tick && c.connected) {
          const point = telemetryPointAt(check.t);
          const payload: JsonObject = {};
          for (const m of TELEMETRY_MEASURES) payload[m] = fleet.telemetryAt(i, m, point, profile);
          payload.ts = check.t;
          messages.push({ t: check.t, topic, clientId: name, payload });
          totals.published.telemetry++;
        }
      }
    }
    st.dirty.clear();
    st.processedUntil = b;
    messages.sort((x, y) => x.t - y.t);
    for (const m of messages) this.route(m, rules, settings, totals);
  }

  private presence(index: number, name: string, connected: boolean, reason: string | undefined, at: number, sessionStart: number, version: number): Message {
    const seed = this.account.fleet.seed;
    const session = [1, 2, 3, 4].map((k) => hex(hash4(seed, index, sessionStart, k))).join('');
    const principal = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => hex(hash3(seed, index, 500 + k))).join('');
    const eventType = connected ? 'connected' : 'disconnected';
    const payload: JsonObject = {
      clientId: name,
      timestamp: at,
      eventType,
      sessionIdentifier: `${session.slice(0, 8)}-${session.slice(8, 12)}-${session.slice(12, 16)}-${session.slice(16, 20)}-${session.slice(20, 32)}`,
      principalIdentifier: principal,
      versionNumber: version,
    };
    if (connected) {
      const h = hash3(seed, index, 600);
      payload.ipAddress = `10.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${h & 255}`;
    } else {
      payload.clientInitiatedDisconnect = reason === 'CLIENT_INITIATED_DISCONNECT';
      payload.disconnectReason = reason ?? 'CONNECTION_LOST';
    }
    return { t: at, topic: `$aws/events/presence/${eventType}/${name}`, clientId: name, payload };
  }

  private route(m: Message, rules: StoredRule[], settings: RulesSettings, totals: RuleTotals): void {
    for (const rule of rules) {
      const out = evaluateRule(rule.parsed, { topic: m.topic, payload: m.payload, timestampMs: m.t, clientId: m.clientId });
      if (!out) continue;
      rule.counters.matched++;
      rule.counters.lastMatchAt = m.t;
      totals.matched++;
      const body = JSON.stringify(out);
      rule.http.forEach((_, action) => {
        if (this.queue.length >= settings.maxQueue) return drop(rule, totals, 'queueFull', 1);
        this.queue.push({ rule, action, topic: m.topic, body });
      });
    }
  }

  /** Takes queued messages as HTTP requests: one per message, or JSON-array batches within AWS's limits. */
  takeRequests(): { rule: StoredRule; action: HttpActionConfig; bodies: string[]; batched: boolean }[] {
    const queued = this.queue;
    this.queue = [];
    const groups = new Map<string, { rule: StoredRule; action: HttpActionConfig; bodies: string[] }>();
    const out: { rule: StoredRule; action: HttpActionConfig; bodies: string[]; batched: boolean }[] = [];
    for (const o of queued) {
      const action = o.rule.http[o.action]!;
      if (!action.batch) {
        out.push({ rule: o.rule, action, bodies: [o.body], batched: false });
        continue;
      }
      const key = `${o.rule.ruleName}\u0000${o.action}\u0000${action.batch.batchAcrossTopics ? '' : o.topic}`;
      let g = groups.get(key);
      const bytes = (bodies: string[]) => 2 + bodies.reduce((n, s) => n + Buffer.byteLength(s), 0) + Math.max(0, bodies.length - 1);
      if (g && (g.bodies.length >= action.batch.maxBatchSize || bytes([...g.bodies, o.body]) > action.batch.maxBatchSizeBytes)) {
        out.push({ ...g, batched: true });
        g = undefined;
      }
      if (!g) {
        g = { rule: o.rule, action, bodies: [] };
        groups.set(key, g);
      }
      g.bodies.push(o.body);
    }
    for (const g of groups.values()) out.push({ ...g, batched: true });
    return out;
  }
}

function drop(rule: StoredRule, totals: RuleTotals, reason: string, n: number): void {
  rule.counters.dropped[reason] = (rule.counters.dropped[reason] ?? 0) + n;
  totals.dropped[reason] = (totals.dropped[reason] ?? 0) + n;
}

type Attempt = { ok: true; status: number } | { ok: false; retryable: boolean; status: number | null; error: string };

async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Attempt> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, retryable: res.status === 429 || res.status >= 500, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, retryable: true, status: null, error: e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message) };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Simulator-wide delivery: pumps every account's rules, sends requests, and lets tests await it all. */
export class RulesEngine {
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  /** Base of enableUrl in confirmation messages (the server sets its own URL once it listens). */
  publicUrl = 'http://127.0.0.1:4566';

  constructor(
    readonly settings: RulesSettings,
    private readonly accounts: () => Iterable<Account>,
    private readonly now: () => number,
    private readonly totals: () => RuleTotals,
  ) {}

  start(): void {
    this.stop();
    if (this.settings.delivery !== 'auto') return;
    this.timer = setInterval(() => this.tick(), this.settings.pumpIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    try {
      this.pumpAll();
      this.dispatchAll();
    } catch (err) {
      console.error('[sim] rules engine error:', err);
    }
  }

  pumpAll(): void {
    const now = this.now();
    for (const account of this.accounts()) {
      if (account.rules.rules.size === 0) continue;
      account.settle(now);
      account.rules.pump(now, this.settings, this.totals());
    }
  }

  private dispatchAll(): void {
    const work: (() => Promise<void>)[] = [];
    for (const account of this.accounts()) {
      const store = account.rules;
      for (const d of store.pendingConfirmations.splice(0)) work.push(() => this.confirm(d));
      for (const req of store.takeRequests()) work.push(() => this.deliver(store, req.rule, req.action, req.bodies, req.batched));
    }
    if (work.length === 0) return;
    // A small worker pool: deliveries run in parallel up to `concurrency`, in queue order otherwise.
    const workers = Math.max(1, Math.min(this.settings.concurrency, work.length));
    let next = 0;
    for (let w = 0; w < workers; w++) {
      const p: Promise<void> = (async () => {
        while (next < work.length) await work[next++]!();
      })().finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  /** Pumps to the current simulated time and returns once every resulting request has finished. */
  async flush(): Promise<RuleTotals> {
    for (let round = 0; round < 100; round++) {
      this.pumpAll();
      this.dispatchAll();
      if (this.inFlight.size === 0) break;
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    }
    return structuredClone(this.totals());
  }

  /** Tries a POST up to maxAttempts times; request counters are kept for rule deliveries (rule ≠ null). */
  private async attempt(rule: StoredRule | null, url: string, headers: Record<string, string>, body: string): Promise<Attempt> {
    const totals = this.totals();
    const count = (key: 'requests' | 'retries' | 'failedAttempts') => {
      if (!rule) return;
      totals[key]++;
      rule.counters[key]++;
    };
    let last: Attempt = { ok: false, retryable: false, status: null, error: 'not attempted' };
    for (let n = 0; n < this.settings.maxAttempts; n++) {
      if (n > 0) {
        count('retries');
        await sleep(this.settings.retryBackoffMs * 2 ** (n - 1));
      }
      count('requests');
      last = await post(url, headers, body, this.settings.requestTimeoutMs);
      if (rule) {
        rule.counters.lastStatus = last.status;
        rule.counters.lastError = last.ok ? null : last.error;
      }
      if (last.ok) return last;
      count('failedAttempts');
      if (!last.retryable) return last;
    }
    return last;
  }

  private async deliver(store: RuleStore, rule: StoredRule, action: HttpActionConfig, bodies: string[], batched: boolean): Promise<void> {
    const totals = this.totals();
    const destination = store.destinationFor(action.url);
    if (!destination || destination.status !== 'ENABLED') return drop(rule, totals, 'destinationNotEnabled', bodies.length);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const h of action.headers) headers[h.key.toLowerCase()] = h.value;
    const result = await this.attempt(rule, action.url, headers, batched ? `[${bodies.join(',')}]` : bodies[0]!);
    if (result.ok) {
      rule.counters.delivered += bodies.length;
      totals.delivered += bodies.length;
    } else drop(rule, totals, result.retryable ? 'retriesExhausted' : 'clientError', bodies.length);
  }

  private async confirm(d: Destination): Promise<void> {
    const totals = this.totals();
    const token = d.confirmationToken;
    const body = JSON.stringify({
      arn: d.arn,
      confirmationToken: token,
      enableUrl: `${this.publicUrl}/confirmdestination/${encodeURIComponent(token)}`,
    });
    const headers = { 'content-type': 'application/json', 'x-amz-rules-engine-message-type': 'DestinationConfirmation' };
    const result = await this.attempt(null, d.confirmationUrl, headers, body);
    if (result.ok) {
      totals.confirmations.sent++;
      return;
    }
    totals.confirmations.failed++;
    // The endpoint may have confirmed while answering; only an unconfirmed challenge turns into ERROR.
    if (d.status === 'IN_PROGRESS' && d.confirmationToken === token) {
      d.status = 'ERROR';
      d.statusReason = `The confirmation message could not be delivered to ${d.confirmationUrl}: ${result.error}`;
      d.lastUpdatedAt = this.now();
    }
  }
}
