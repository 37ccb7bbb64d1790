// Admin HTTP API under /_sim/ (a prefix AWS never uses). Unauthenticated and loopback-only; every
// endpoint is a thin JSON wrapper around a Simulator method so tests can use either.

import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { DEMO_REGION, TELEMETRY_MEASURES } from './config';
import { ANOMALY_KINDS } from './controls';
import { DISCONNECT_REASONS, MAX_THINGS } from './fleet';
import type { Simulator } from './simulator';

const accountId = z.string().regex(/^\d{12}$/, 'account ids are 12 digits');
const region = z.string().min(1).optional();
const rate = z.number().min(0).max(1);
const actions = z.array(z.string().min(1)).min(1);

const selector = {
  thingNames: z.array(z.string().min(1)).min(1).max(MAX_THINGS).optional(),
  prefix: z.string().min(1).optional(),
  group: z.string().min(1).optional(),
  count: z.number().int().min(1).max(MAX_THINGS).optional(),
  region,
};
const duration = z.number().int().min(60_000).optional();
const metric = z.enum(TELEMETRY_MEASURES);
const finite = z.number().finite();

const anomalies = [
  z.object({ kind: z.literal('spike'), metric, value: finite.optional(), delta: finite.optional(), durationMs: duration }),
  z.object({ kind: z.literal('shift'), metric, delta: finite, durationMs: duration }),
  z.object({ kind: z.literal('drift'), metric, ratePerHour: finite, durationMs: duration }),
  z.object({ kind: z.literal('stuck'), metric, value: finite.optional(), durationMs: duration }),
] as const;

const schemas = {
  seed: z.object({ things: z.number().int().min(0).max(MAX_THINGS), seed: z.number().int(), region }),
  grow: z.object({ count: z.number().int().min(1).max(MAX_THINGS), region }),
  remove: z.object({ thingNames: z.array(z.string()).min(1), region }),
  indexing: z.object({
    thingIndexingMode: z.enum(['OFF', 'REGISTRY', 'REGISTRY_AND_SHADOW']).optional(),
    thingConnectivityIndexingMode: z.enum(['OFF', 'STATUS']).optional(),
    namedShadowIndexingMode: z.enum(['OFF', 'ON']).optional(),
    namedShadowNames: z.array(z.string()).optional(),
    customFields: z.array(z.object({ name: z.string(), type: z.enum(['Number', 'String', 'Boolean']) })).optional(),
    region,
  }),
  timestreamTable: z.object({ database: z.string().min(1), table: z.string().min(1), region }),
  quotas: z.object({
    enabled: z.boolean().optional(),
    factor: z.number().min(0).optional(),
    rates: z.record(z.string(), z.number().min(0)).optional(),
    perThingShadowRate: z.number().min(0).optional(),
  }),
  faults: z.object({
    latencyMs: z.union([z.number().min(0), z.tuple([z.number().min(0), z.number().min(0)])]).optional(),
    errorRate: rate.optional(),
    resetRate: rate.optional(),
    operations: z.array(z.string()).nullable().optional(),
    things: z.array(z.string()).nullable().optional(),
    seed: z.number().int().optional(),
  }),
  behaviour: z.object({
    convergenceDelayMs: z.number().min(0).optional(),
    reportIntervalMs: z.number().int().positive().multipleOf(60_000).optional(),
    deadFraction: rate.optional(),
    flakyFraction: rate.optional(),
    jobs: z
      .object({
        failureRate: rate.optional(),
        pickupMs: z.tuple([z.number().min(0), z.number().min(0)]).optional(),
        runMs: z.tuple([z.number().min(0), z.number().min(0)]).optional(),
        defaultMaximumPerMinute: z.number().int().min(1).max(1000).optional(),
      })
      .optional(),
  }),
  timestreamSettings: z.object({
    emptyFirstPage: z.enum(['never', 'always', 'auto']).optional(),
    maxPointsPerQuery: z.number().int().positive().optional(),
    allowedBinSizes: z.array(z.string().regex(/^\d+(s|m|h|d)$/)).optional(),
  }),
  offline: z.object({ ...selector, reason: z.enum(DISCONNECT_REASONS as [string, ...string[]]).optional() }),
  online: z.object(selector),
  drain: z.object({ ...selector, ratePerHour: z.number().positive().max(100), durationMs: duration }),
  anomaly: z.object(selector).and(z.discriminatedUnion('kind', [...anomalies])),
  firmwareBehaviour: z.object({
    rules: z.array(
      z.object({
        firmware: z.string().min(1),
        effect: z.discriminatedUnion('kind', [
          ...anomalies,
          z.object({ kind: z.literal('drain'), ratePerHour: z.number().positive().max(100), durationMs: duration }),
          z.object({ kind: z.literal('offline'), reason: z.enum(DISCONNECT_REASONS as [string, ...string[]]).optional() }),
        ]),
      }),
    ),
    region,
  }),
  clearControls: z.object({ ...selector, kinds: z.array(z.enum(['offline', ...ANOMALY_KINDS])).min(1).optional() }),
  rulesSettings: z.object({
    delivery: z.enum(['auto', 'manual']).optional(),
    pumpIntervalMs: z.number().int().min(10).max(60_000).optional(),
    maxAttempts: z.number().int().min(1).max(10).optional(),
    retryBackoffMs: z.number().int().min(0).max(60_000).optional(),
    requestTimeoutMs: z.number().int().min(10).max(60_000).optional(),
    maxCatchUpMs: z.number().int().min(0).optional(),
    maxQueue: z.number().int().min(0).optional(),
    concurrency: z.number().int().min(1).max(256).optional(),
  }),
  clock: z.object({ advanceMs: z.number().min(0).optional(), setMs: z.number().optional(), scale: z.number().min(0).optional() }),
  key: z.object({
    accessKeyId: z.string().regex(/^AKIA[A-Z0-9]{16}$/),
    secretAccessKey: z.string().length(40),
    accountId,
    userName: z.string().min(1).default('simulated-user'),
    actions: actions.default(['*']),
    deny: z.array(z.string().min(1)).optional(),
  }),
  role: z.object({
    roleArn: z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/),
    externalId: z.string().min(2).optional(),
    actions: actions.default(['iot:*', 'timestream:Select', 'timestream:DescribeEndpoints']),
    deny: z.array(z.string().min(1)).optional(),
    maxSessionDurationSeconds: z.number().int().min(900).max(43_200).default(3600),
    trustedPrincipals: z.array(z.string()).optional(),
  }),
};

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<T extends z.ZodType>(schema: T, body: Buffer): z.infer<T> {
  let raw: unknown = {};
  if (body.length > 0) {
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      throw new AdminError(400, 'body is not valid JSON');
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new AdminError(400, result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return result.data;
}

function memory() {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed };
}

type Handler = (sim: Simulator, body: Buffer, params: string[], query: URLSearchParams) => unknown;

const routes: [string, RegExp, Handler][] = [
  ['GET', /^\/_sim\/health$/, (sim) => ({ ok: true, now: sim.now(), accounts: sim.listAccounts(), ...memory() })],
  ['POST', /^\/_sim\/reset$/, (sim) => (sim.reset(), { ok: true, accounts: sim.listAccounts() })],
  ['GET', /^\/_sim\/accounts$/, (sim) => sim.listAccounts()],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/seed$/,
    (sim, body, [id]) => {
      const b = parse(schemas.seed, body);
      return sim.seed(id!, { things: b.things, seed: b.seed, region: b.region });
    },
  ],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/things$/,
    (sim, body, [id]) => {
      const b = parse(schemas.grow, body);
      return sim.addThings(id!, b.count, b.region);
    },
  ],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/things\/remove$/,
    (sim, body, [id]) => {
      const b = parse(schemas.remove, body);
      return sim.removeThings(id!, b.thingNames, b.region);
    },
  ],
  [
    'PUT',
    /^\/_sim\/accounts\/(\d{12})\/indexing$/,
    (sim, body, [id]) => {
      const { region: r, ...cfg } = parse(schemas.indexing, body);
      return sim.setIndexing(id!, cfg, r);
    },
  ],
  [
    'PUT',
    /^\/_sim\/accounts\/(\d{12})\/timestream$/,
    (sim, body, [id]) => {
      const b = parse(schemas.timestreamTable, body);
      sim.setTimestreamTable(id!, b.database, b.table, b.region);
      return { ok: true };
    },
  ],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/devices\/offline$/,
    (sim, body, [id]) => {
      const { reason, ...sel } = parse(schemas.offline, body);
      return sim.takeDevicesOffline(id!, sel, reason);
    },
  ],
  ['POST', /^\/_sim\/accounts\/(\d{12})\/devices\/online$/, (sim, body, [id]) => sim.bringDevicesOnline(id!, parse(schemas.online, body))],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/devices\/battery-drain$/,
    (sim, body, [id]) => {
      const { ratePerHour, durationMs, ...sel } = parse(schemas.drain, body);
      return sim.drainBattery(id!, sel, { ratePerHour, durationMs });
    },
  ],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/devices\/anomaly$/,
    (sim, body, [id]) => {
      const { thingNames, prefix, group, count, region: r, ...anomaly } = parse(schemas.anomaly, body);
      return sim.injectAnomaly(id!, { thingNames, prefix, group, count, region: r }, anomaly);
    },
  ],
  [
    'POST',
    /^\/_sim\/accounts\/(\d{12})\/devices\/clear$/,
    (sim, body, [id]) => {
      const { kinds, ...sel } = parse(schemas.clearControls, body);
      return sim.clearDeviceControls(id!, sel, kinds);
    },
  ],
  ['GET', /^\/_sim\/accounts\/(\d{12})\/devices\/controls$/, (sim, _b, [id], q) => sim.listDeviceControls(id!, q.get('region') ?? undefined)],
  [
    'PUT',
    /^\/_sim\/accounts\/(\d{12})\/firmware-behaviour$/,
    (sim, body, [id]) => {
      const b = parse(schemas.firmwareBehaviour, body);
      return sim.setFirmwareBehaviour(id!, b.rules, b.region);
    },
  ],
  ['GET', /^\/_sim\/accounts\/(\d{12})\/firmware-behaviour$/, (sim, _b, [id], q) => sim.firmwareBehaviour(id!, q.get('region') ?? undefined)],
  ['GET', /^\/_sim\/quotas$/, (sim) => sim.settings.quotas],
  ['PUT', /^\/_sim\/quotas$/, (sim, body) => sim.setQuotas(parse(schemas.quotas, body))],
  ['GET', /^\/_sim\/faults$/, (sim) => sim.settings.faults],
  [
    'PUT',
    /^\/_sim\/faults$/,
    (sim, body) => {
      const { latencyMs, ...rest } = parse(schemas.faults, body);
      const latency: [number, number] | undefined =
        latencyMs === undefined ? undefined : typeof latencyMs === 'number' ? [latencyMs, latencyMs] : latencyMs;
      return sim.setFaults({ ...rest, ...(latency ? { latencyMs: latency } : {}) });
    },
  ],
  ['GET', /^\/_sim\/behaviour$/, (sim) => sim.settings.behaviour],
  ['PUT', /^\/_sim\/behaviour$/, (sim, body) => sim.setBehaviour(parse(schemas.behaviour, body))],
  ['GET', /^\/_sim\/timestream-settings$/, (sim) => sim.settings.timestream],
  ['PUT', /^\/_sim\/timestream-settings$/, (sim, body) => sim.setTimestreamSettings(parse(schemas.timestreamSettings, body))],
  ['GET', /^\/_sim\/counters$/, (sim) => sim.getCounters()],
  ['GET', /^\/_sim\/rules$/, (sim) => sim.rulesView()],
  ['POST', /^\/_sim\/rules\/flush$/, (sim) => sim.flushRules()],
  ['GET', /^\/_sim\/rules\/settings$/, (sim) => sim.settings.rules],
  ['PUT', /^\/_sim\/rules\/settings$/, (sim, body) => sim.setRulesSettings(parse(schemas.rulesSettings, body))],
  ['POST', /^\/_sim\/counters\/reset$/, (sim) => (sim.resetCounters(), { ok: true })],
  ['GET', /^\/_sim\/clock$/, (sim) => clockView(sim)],
  [
    'POST',
    /^\/_sim\/clock$/,
    (sim, body) => {
      const b = parse(schemas.clock, body);
      try {
        if (b.scale !== undefined) sim.setTimeScale(b.scale);
        if (b.setMs !== undefined) sim.clock.setTime(b.setMs);
        if (b.advanceMs !== undefined) sim.advanceTime(b.advanceMs);
      } catch (err) {
        throw new AdminError(400, (err as Error).message);
      }
      return clockView(sim);
    },
  ],
  ['GET', /^\/_sim\/keys$/, (sim) => sim.iam.listKeys()],
  ['PUT', /^\/_sim\/keys$/, (sim, body) => (sim.putKey(parse(schemas.key, body)), { ok: true })],
  ['DELETE', /^\/_sim\/keys\/(AKIA[A-Z0-9]{16})$/, (sim, _b, [id]) => ({ deleted: sim.iam.deleteKey(id!) })],
  ['GET', /^\/_sim\/roles$/, (sim) => sim.iam.listRoles()],
  ['PUT', /^\/_sim\/roles$/, (sim, body) => (sim.putRole(parse(schemas.role, body)), { ok: true })],
];

function clockView(sim: Simulator) {
  const now = sim.now();
  return { nowMs: now, iso: new Date(now).toISOString(), scale: sim.clock.timeScale };
}

export async function handleAdmin(sim: Simulator, method: string, path: string, rawQuery: string, body: Buffer, res: ServerResponse): Promise<void> {
  const reply = (status: number, payload: unknown) => {
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };
  const candidates = routes.filter(([, re]) => re.test(path));
  const route = candidates.find(([m]) => m === method);
  if (!route) {
    return candidates.length > 0
      ? reply(405, { error: `${method} is not allowed on ${path}` })
      : reply(404, { error: `unknown admin endpoint ${path}; see scripts/sim/README.md (default region ${DEMO_REGION})` });
  }
  const [, re, handler] = route;
  const params = re.exec(path)!.slice(1);
  try {
    // Handlers may be async (POST /_sim/rules/flush waits for deliveries).
    reply(200, await handler(sim, body, params, new URLSearchParams(rawQuery)));
  } catch (err) {
    if (err instanceof AdminError) return reply(err.status, { error: err.message });
    if (err instanceof RangeError || err instanceof Error) return reply(400, { error: err.message });
    throw err;
  }
}
