import type { Logger } from 'pino';
import type postgres from 'postgres';
import type { Tx } from '@/lib/db';
import { deviceFilterSchema, deviceFilterWhere, type DeviceFilter } from '@/features/devices/filters';
import { describeAlert, describeCondition } from './describe';
import type { AlertEvent, AlertSeverity } from './events';
import { alertConditionSchema, type AlertCondition, type Comparison, type FleetMatch, type AnomalyCondition, type FleetShareCondition, type MetricRef, TELEMETRY_FRESH_MINUTES } from './schemas';

/**
 * Alert evaluation: every enabled rule of one organization against the cached fleet, a few
 * set-based statements per rule (never a loop over devices in Node). A rule's candidates are the
 * subjects whose condition holds (`fire`) or, for a firing alert, sits in the hysteresis band
 * (`hold`); every open instance not among them has cleared. Device rules select their devices with
 * the device list's own filter SQL (deviceFilterWhere), so a rule watches exactly what the list shows.
 *
 * Lifecycle: pending (condition true, waiting out for_seconds) → firing → acknowledged → resolved.
 * A pending instance whose condition stops holding is dropped without a trace. Snoozes (rule or
 * device) do not stop instances — the alerts page stays true — they hold back the `fired` event; an
 * alert still firing when its snooze ends is notified then. `resolved` is sent only for alerts whose
 * `fired` was sent, with the value that cleared it (threshold, fleet share) or the last value seen.
 * Flapping: an instance whose rule and subject already resolved `flap.limit` times within the flap
 * window is held firing (marked flapping) until its condition has stayed clear for a whole window.
 *
 * Two transactions: the transitions commit first (the alerts page and the bell never wait on
 * notifications); then every transition not yet told is marked and handed to `deps.notify` with a
 * runner bound to that second transaction, so marks and deliveries commit together. If notifying
 * fails, the marks roll back and the next evaluation sends the same events again (at least once).
 */

export type AlertsDb = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
/** The shape of notifications' notifyAlertEvents. */
export type NotifyAlertEvents = (db: AlertsDb, events: AlertEvent[]) => Promise<{ deliveries: number }>;

export interface RuleForEvaluation {
  id: string;
  name: string;
  severity: AlertSeverity;
  condition: AlertCondition;
  filter: DeviceFilter;
  forSeconds: number;
  snoozedUntil: Date | null;
  channelIds: string[];
}

/** One device's verdict from the anomaly detector: `fire` when anomalous now; `hold` keeps a firing alert open. */
export interface AnomalyVerdict {
  deviceId: string;
  value: number | null;
  verdict: 'fire' | 'hold';
  details?: Record<string, postgres.JSONValue>;
}

/**
 * The anomaly detector's hook (lane DETECT): the verdicts of an anomaly rule for the devices its
 * filter selects (`where` is that filter's condition over `public.devices d`, for a set-based read of
 * their history); devices it does not list have no anomaly. The filter is applied again to what it
 * returns. Without a hook anomaly rules are skipped and their instances left alone.
 */
export type AnomalyCandidates = (
  tx: Tx,
  args: { orgId: string; rule: RuleForEvaluation & { condition: AnomalyCondition }; where: postgres.PendingQuery<postgres.Row[]>; now: Date },
) => Promise<AnomalyVerdict[]>;

export interface EvaluateDeps {
  /** asService: evaluation writes service-only tables and filters every query by org_id. */
  db: AlertsDb;
  notify: NotifyAlertEvents;
  log?: Logger;
  anomaly?: AnomalyCandidates;
  flap?: { windowSeconds: number; limit: number };
}

export const DEFAULT_FLAP = { windowSeconds: 3600, limit: 3 };

interface RuleRow {
  id: string;
  name: string;
  severity: AlertSeverity;
  filter: unknown;
  condition: unknown;
  for_seconds: number;
  snoozed_until: Date | null;
  channel_ids: string[];
}

interface TransitionRow {
  id: string;
  severity: AlertSeverity;
  device_id: string | null;
  thing_name: string | null;
  label: string | null;
  last_value: number | null;
  at: Date;
}

export async function evaluateAlerts(deps: EvaluateDeps, args: { orgId: string; now: Date }): Promise<AlertEvent[]> {
  const { orgId, now } = args;
  // One evaluation per organization at a time (a sync's and the periodic one may overlap).
  const lock = (tx: Tx) => tx`select pg_advisory_xact_lock(hashtextextended(${`alerts:${orgId}`}, 0))`;
  // Phase 1: state transitions, committed on their own so the alerts page and the bell stay true
  // even while notifications fail.
  const rules = await deps.db(async (tx) => {
    await lock(tx);
    const rows = await tx<RuleRow[]>`
      select id, name, severity, filter, condition, for_seconds, snoozed_until, channel_ids
      from public.alert_rules where org_id = ${orgId} and enabled order by created_at, id`;
    const evaluated: RuleForEvaluation[] = [];
    for (const row of rows) {
      const condition = alertConditionSchema.safeParse(row.condition);
      const filter = deviceFilterSchema.safeParse(row.filter);
      if (!condition.success || !filter.success) {
        deps.log?.warn({ orgId, ruleId: row.id }, 'alert rule with an invalid definition skipped');
        continue;
      }
      const rule: RuleForEvaluation = {
        id: row.id,
        name: row.name,
        severity: row.severity,
        condition: condition.data,
        filter: filter.data,
        forSeconds: row.for_seconds,
        snoozedUntil: row.snoozed_until,
        channelIds: row.channel_ids,
      };
      evaluated.push(rule);
      try {
        // A savepoint per rule: one rule's failure (say, a timeout) leaves the others' work standing.
        await tx.savepoint((sp) => evaluateRule(sp, deps, orgId, rule, now));
      } catch (error) {
        deps.log?.error({ err: error, orgId, ruleId: rule.id }, 'alert rule evaluation failed');
      }
    }
    return evaluated;
  });
  // Phase 2: every transition not yet told, marked and handed to notifications in one transaction:
  // if notifying fails, the marks roll back and the next evaluation sends them again.
  return deps.db(async (tx) => {
    await lock(tx);
    const events: AlertEvent[] = [];
    for (const rule of rules) events.push(...(await untoldTransitions(tx, orgId, rule, now)));
    if (events.length > 0) await deps.notify((fn) => fn(tx), events);
    return events;
  });
}

const SQL_OPS: Record<Comparison, string> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

function compare(tx: Tx, left: postgres.PendingQuery<postgres.Row[]>, op: Comparison, right: number) {
  return tx`${left} ${tx.unsafe(SQL_OPS[op])} ${right}::float8`;
}

/**
 * A numeric metric of `d`: a cached column, a number under `reported` of the classic or a named
 * shadow, or the latest live-data point of a telemetry metric when it is fresh at `now` (device time,
 * like the points' timestamps).
 */
function metricExpr(tx: Tx, metric: MetricRef, now: Date) {
  if (metric === 'battery') return tx`d.battery`;
  if (metric === 'rssi') return tx`d.rssi`;
  if (metric === 'temperature') return tx`d.temperature`;
  if ('telemetry' in metric) {
    return tx`(select p.value from public.telemetry_points p
               where p.device_id = d.id and p.org_id = d.org_id and p.metric = ${metric.telemetry}
                 and p.ts > ${now}::timestamptz - ${TELEMETRY_FRESH_MINUTES}::int * interval '1 minute'
               order by p.ts desc limit 1)`;
  }
  // One JSON path call per row (the document is read once); segments are validated, and quoted anyway.
  const keys = metric.shadow ? [metric.shadow, 'reported', ...metric.path] : ['reported', ...metric.path];
  const path = `$${keys.map((k) => `."${k}"`).join('')} ? (@.type() == "number")`;
  return tx`(jsonb_path_query_first(${metric.shadow ? tx`d.named_shadows` : tx`d.shadow`}, ${path}::jsonpath))::float8`;
}

/** Since when a device has been offline (or, when stale, silent). */
const OFFLINE_SINCE = 'case when d.status = \'stale\' then d.last_seen_at else coalesce(d.connectivity_changed_at, d.last_seen_at) end';

function fleetMatch(tx: Tx, match: FleetMatch, now: Date) {
  if (match.type === 'stale') return tx`d.status = 'stale'`;
  if (match.type === 'offline') {
    return match.minutes === 0
      ? tx`d.status = 'offline'`
      : tx`d.status = 'offline' and ${tx.unsafe(OFFLINE_SINCE)} <= ${now}::timestamptz - ${match.minutes}::int * interval '1 minute'`;
  }
  return tx`coalesce(${compare(tx, metricExpr(tx, match.metric, now), match.op, match.value)}, false)`;
}

/** The clear condition of a level with hysteresis: the value has come back to (or past) `clear`. */
function clearExpr(tx: Tx, value: postgres.PendingQuery<postgres.Row[]>, op: Comparison, clear: number) {
  return op === 'lt' || op === 'lte' ? tx`${value} >= ${clear}::float8` : tx`${value} <= ${clear}::float8`;
}

/** Matching and total devices of a fleet rule's filter, as a one-row sub-select `s`. */
function fleetCounts(tx: Tx, c: FleetShareCondition, where: postgres.PendingQuery<postgres.Row[]>, now: Date) {
  return tx`(select count(*) filter (where ${fleetMatch(tx, c.match, now)})::int as matching, count(*)::int as total
             from public.devices d where ${where})`;
}

function fleetMeasure(tx: Tx, c: FleetShareCondition) {
  return c.measure === 'share'
    ? tx`(case when s.total = 0 then 0 else 100.0 * s.matching / s.total end)::float8`
    : tx`s.matching::float8`;
}

/**
 * The current value of a cleared instance `a` (so a resolution carries the value that cleared it),
 * for the kinds where it is cheap; null keeps the last value seen while open.
 */
function clearedValue(tx: Tx, orgId: string, rule: RuleForEvaluation, now: Date) {
  const c = rule.condition;
  if (c.kind === 'threshold') {
    return tx`(select ${metricExpr(tx, c.metric, now)} from public.devices d where d.org_id = ${orgId} and d.id = a.device_id)`;
  }
  if (c.kind === 'fleet_share') {
    return tx`(select ${fleetMeasure(tx, c)} from ${fleetCounts(tx, c, deviceFilterWhere(tx, orgId, rule.filter), now)} s)`;
  }
  return tx`null::float8`;
}

type Fragment = postgres.PendingQuery<postgres.Row[]>;

/** Candidate rows: (subject_key, device_id, label, value, fire, details). Null when the rule cannot be evaluated here. */
async function candidates(tx: Tx, deps: EvaluateDeps, orgId: string, rule: RuleForEvaluation, now: Date): Promise<{ sql: Fragment } | null> {
  const c = rule.condition;
  const where = () => deviceFilterWhere(tx, orgId, rule.filter);
  switch (c.kind) {
    case 'offline': {
      const statuses = c.includeStale ? ['offline', 'stale'] : ['offline'];
      return { sql: tx`
        select d.id::text as subject_key, d.id as device_id, d.thing_name as label,
               extract(epoch from (${now}::timestamptz - ${tx.unsafe(OFFLINE_SINCE)})) / 60 as value, true as fire,
               jsonb_build_object('status', d.status) as details
        from public.devices d
        where ${where()} and d.status = any(${statuses}::public.device_status[])
          and ${tx.unsafe(OFFLINE_SINCE)} <= ${now}::timestamptz - ${c.minutes}::int * interval '1 minute'` };
    }
    case 'threshold': {
      const fire = compare(tx, tx`v.value`, c.op, c.value);
      // Fire or inside the band is one comparison with the clear level (it lies beyond the alert level),
      // so a cached column is matched through its index.
      const keep = c.clearValue === undefined ? fire : compare(tx, tx`v.value`, c.op.startsWith('l') ? 'lt' : 'gt', c.clearValue);
      return { sql: tx`
        select d.id::text as subject_key, d.id as device_id, d.thing_name as label, v.value, ${fire} as fire, '{}'::jsonb as details
        from public.devices d cross join lateral (select ${metricExpr(tx, c.metric, now)} as value) v
        where ${where()} and v.value is not null and ${keep}` };
    }
    case 'fleet_share': {
      const fire = compare(tx, tx`m.value`, c.op, c.level);
      const keep = c.clearLevel === undefined ? fire : tx`(${fire} or not ${clearExpr(tx, tx`m.value`, c.op, c.clearLevel)})`;
      return { sql: tx`
        select 'fleet' as subject_key, null::uuid as device_id, null::text as label, m.value, ${fire} as fire,
               jsonb_build_object('matching', s.matching, 'total', s.total) as details
        from ${fleetCounts(tx, c, where(), now)} s
        cross join lateral (select ${fleetMeasure(tx, c)} as value) m
        where ${keep}` };
    }
    // Operations rules watch integrations and jobs: of the device filter, only `integration` applies.
    case 'sync_failure':
      return { sql: tx`
        select 'integration:' || i.id as subject_key, null::uuid as device_id, i.name as label, f.failures::float8 as value, true as fire,
               jsonb_build_object('integrationId', i.id, 'lastErrorCode', f.last_error_code) as details
        from public.integrations i
        cross join lateral (
          select count(*) filter (where r.status = 'failed') as failures, count(*) as runs,
                 (array_agg(r.error_code order by r.started_at desc))[1] as last_error_code
          from (select r.status, r.error_code, r.started_at from public.sync_runs r
                where r.org_id = ${orgId} and r.integration_id = i.id and r.status in ('succeeded', 'failed')
                order by r.started_at desc limit ${c.consecutive}) r
        ) f
        where i.org_id = ${orgId} ${rule.filter.integration ? tx`and i.id = ${rule.filter.integration}` : tx``}
          and f.runs = ${c.consecutive} and f.failures = ${c.consecutive}` };
    case 'ota_failure':
      return { sql: tx`
        select 'job:' || j.id as subject_key, null::uuid as device_id, j.job_id as label, s.share as value, true as fire,
               jsonb_build_object('otaJobId', j.id, 'jobId', j.job_id, 'failed', n.failed, 'total', n.total, 'aborted', n.aborted) as details
        from public.ota_jobs j
        cross join lateral (select j.failed_count + j.timed_out_count + j.rejected_count as failed,
                                   j.queued_count + j.in_progress_count + j.succeeded_count + j.failed_count + j.timed_out_count + j.rejected_count as total,
                                   -- Abort criteria cancel the job with a comment saying so (not a forced cancel by a person).
                                   (j.status = 'CANCELED' and coalesce(j.comment, '') ilike 'job aborted%') as aborted) n
        cross join lateral (select (case when n.total = 0 then 0 else 100.0 * n.failed / n.total end)::float8 as share) s
        where j.org_id = ${orgId} ${rule.filter.integration ? tx`and j.integration_id = ${rule.filter.integration}` : tx``}
          and ((n.failed > 0 and s.share > ${c.failureSharePercent}::float8) or n.aborted)
          and (j.status in ('IN_PROGRESS', 'SCHEDULED') or coalesce(j.completed_at_aws, j.last_updated_at_aws, j.synced_at) > ${now}::timestamptz - interval '1 day')` };
    case 'command_timeout':
      // Driven from the commands (few) rather than a lookup per device (many).
      return { sql: tx`
        select d.id::text as subject_key, d.id as device_id, d.thing_name as label, c.timeout_seconds::float8 as value, true as fire,
               jsonb_build_object('commandId', c.id) as details
        from (select distinct on (c.device_id) c.device_id, c.id, c.status, c.timeout_seconds from public.device_commands c
              where c.org_id = ${orgId} order by c.device_id, c.created_at desc) c
        join public.devices d on d.id = c.device_id
        where ${where()} and c.status = 'timed_out'` };
    case 'anomaly': {
      if (!deps.anomaly) return null;
      const verdicts = await deps.anomaly(tx, { orgId, rule: { ...rule, condition: c }, where: where(), now });
      const rows = verdicts.map((v) => ({ device_id: v.deviceId, value: v.value, fire: v.verdict === 'fire', details: v.details ?? {} }));
      return { sql: tx`
        select d.id::text as subject_key, d.id as device_id, d.thing_name as label, x.value, x.fire, x.details
        from jsonb_to_recordset(${tx.json(rows as postgres.JSONValue)}) as x(device_id uuid, value float8, fire boolean, details jsonb)
        join public.devices d on d.id = x.device_id
        where ${where()}` };
    }
  }
}

/** Kinds whose value is a measurement worth keeping current while open; the others keep the value they fired with. */
const TRACKED_VALUE = new Set<AlertCondition['kind']>(['threshold', 'fleet_share', 'ota_failure', 'sync_failure', 'anomaly']);

async function evaluateRule(tx: Tx, deps: EvaluateDeps, orgId: string, rule: RuleForEvaluation, now: Date): Promise<void> {
  // Wrapped: a query fragment is a thenable, which an async function would run instead of returning.
  const candidate = (await candidates(tx, deps, orgId, rule, now))?.sql;
  if (!candidate) return;
  const flap = deps.flap ?? DEFAULT_FLAP;
  const ruleText = describeCondition(rule.condition).slice(0, 500);
  const valueChanged = TRACKED_VALUE.has(rule.condition.kind) ? tx`a.last_value is distinct from c.value` : tx`false`;

  // One statement, so the candidates are computed once and every step sees the same snapshot; its
  // steps touch disjoint rows (new subjects, open ones still held, open ones cleared).
  // 1. New instances (pending) where the condition holds; open ones are rewritten only when something
  //    changed (value, severity, a flapping instance's clear timer), so a steady fleet costs no writes.
  // 2. Cleared (no longer among the candidates; a pending one also when merely inside the band):
  //    pending instances are dropped; firing ones resolve unless the flap guard holds them.
  await tx`
    with c as materialized (${candidate}),
    opened as (
      insert into public.alerts (org_id, rule_id, subject_key, device_id, state, severity, condition_since, last_value,
                                 last_evaluated_at, summary, details)
      select ${orgId}, ${rule.id}, c.subject_key, c.device_id, 'pending', ${rule.severity}, ${now}, c.value, ${now}, ${ruleText},
             c.details || jsonb_build_object('label', c.label)
      from c
      where c.fire and not exists (select 1 from public.alerts o where o.rule_id = ${rule.id} and o.subject_key = c.subject_key and o.state <> 'resolved')
      on conflict (rule_id, subject_key) where state <> 'resolved' do nothing
    ), refreshed as (
      update public.alerts a
      set last_value = case when ${valueChanged} then c.value else a.last_value end, severity = ${rule.severity}, summary = ${ruleText},
          details = c.details || jsonb_build_object('label', c.label), clear_since = null, last_evaluated_at = ${now}
      from c
      where a.org_id = ${orgId} and a.rule_id = ${rule.id} and a.state <> 'resolved' and a.subject_key = c.subject_key
        and (c.fire or a.state <> 'pending')
        and (${valueChanged} or a.clear_since is not null or a.severity <> ${rule.severity} or a.summary <> ${ruleText})
    ), gone as (
      select a.id, a.state, a.flapping or (
               select count(*) from public.alerts p
               where p.rule_id = a.rule_id and p.subject_key = a.subject_key and p.state = 'resolved'
                 and p.resolved_at > ${now}::timestamptz - ${flap.windowSeconds}::int * interval '1 second') >= ${flap.limit} as flapping,
             coalesce(a.clear_since, ${now}) as clear_since
      from public.alerts a
      where a.org_id = ${orgId} and a.rule_id = ${rule.id} and a.state <> 'resolved'
        -- Instances another feature raised with this rule (an OTA health guard's stop) are not its to clear.
        and a.details ->> 'raisedBy' is null
        and not exists (select 1 from c where c.subject_key = a.subject_key and (c.fire or a.state <> 'pending'))
    ), dropped as (
      -- Data-modifying WITH clauses run to completion whether or not anything reads them.
      delete from public.alerts a using gone g where a.id = g.id and g.state = 'pending'
    ), changed as (
      update public.alerts a
      set flapping = g.flapping, clear_since = g.clear_since, last_value = coalesce(${clearedValue(tx, orgId, rule, now)}, a.last_value),
          last_evaluated_at = ${now},
          state = case when r.resolve then 'resolved'::public.alert_state else a.state end,
          resolved_at = case when r.resolve then ${now}::timestamptz end
      from gone g
      cross join lateral (select not g.flapping or g.clear_since <= ${now}::timestamptz - ${flap.windowSeconds}::int * interval '1 second' as resolve) r
      where a.id = g.id and g.state <> 'pending'
        and (r.resolve or a.clear_since is null or not a.flapping)
    )
    select 1`;

  // 3. Pending instances still holding (the others were just dropped) fire once they held long enough;
  //    a new one fires at once when the rule has no duration.
  await tx`
    update public.alerts set state = 'firing', fired_at = ${now}, last_evaluated_at = ${now}
    where org_id = ${orgId} and rule_id = ${rule.id} and state = 'pending'
      and condition_since <= ${now}::timestamptz - ${rule.forSeconds}::int * interval '1 second'`;
}

/**
 * The transitions of a rule nobody was told about yet: firing alerts not notified (unless the rule or
 * the device is snoozed) and resolutions of alerts whose firing was notified. Marks them told.
 */
async function untoldTransitions(tx: Tx, orgId: string, rule: RuleForEvaluation, now: Date): Promise<AlertEvent[]> {
  const snoozed = rule.snoozedUntil !== null && rule.snoozedUntil > now;
  const fired = snoozed
    ? []
    : await tx<TransitionRow[]>`
        with changed as (
          update public.alerts a set notified = true
          where a.org_id = ${orgId} and a.rule_id = ${rule.id} and a.state = 'firing' and not a.notified
            and not exists (select 1 from public.alert_device_snoozes s
                            where s.org_id = ${orgId} and s.rule_id = a.rule_id and s.device_id = a.device_id and s.until > ${now})
          returning a.id, a.severity, a.device_id, a.details ->> 'label' as label, a.last_value, a.fired_at as at
        )
        select ch.id, ch.severity, ch.device_id, d.thing_name, ch.label, ch.last_value, ch.at
        from changed ch left join public.devices d on d.id = ch.device_id`;
  const resolved = await tx<TransitionRow[]>`
    with changed as (
      update public.alerts a set resolved_notified = true
      where a.org_id = ${orgId} and a.rule_id = ${rule.id} and a.state = 'resolved' and a.notified and not a.resolved_notified
      returning a.id, a.severity, a.device_id, a.details ->> 'label' as label, a.last_value, a.resolved_at as at
    )
    select ch.id, ch.severity, ch.device_id, d.thing_name, ch.label, ch.last_value, ch.at
    from changed ch left join public.devices d on d.id = ch.device_id`;

  const event = (type: AlertEvent['type'], r: TransitionRow): AlertEvent => ({
    type,
    alertId: r.id,
    orgId,
    ruleId: rule.id,
    ruleName: rule.name,
    severity: r.severity,
    deviceId: r.device_id,
    thingName: r.thing_name,
    summary: describeAlert(rule.condition, r.thing_name ?? r.label, r.last_value),
    value: r.last_value,
    at: r.at.toISOString(),
    channelIds: rule.channelIds,
  });
  return [...fired.map((r) => event('fired', r)), ...resolved.map((r) => event('resolved', r))];
}
