import type postgres from 'postgres';

/**
 * Telemetry history for anomaly-rule benchmarks, inserted in SQL by a superuser: for every device
 * of an organization, raw points of one metric over the last `rawHours` (a daily cycle, noise) and
 * hourly rollups over the last `rollupDays` (what the baseline's daily cycle is learned from), as
 * the telemetry store's writer would have left them. Also used by the alerts bench (perf lane) to
 * give its anomaly rules something to score.
 */
export interface AnomalyHistoryOptions {
  orgId: string;
  metric: string;
  now: Date;
  rawHours: number;
  intervalMinutes: number;
  rollupDays: number;
}

export async function seedAnomalyHistory(sql: postgres.Sql, o: AnomalyHistoryOptions): Promise<{ points: number; rollups: number }> {
  const from = new Date(o.now.getTime() - o.rollupDays * 86_400_000);
  await sql`select private.ensure_telemetry_partitions_between(${from.toISOString().slice(0, 10)}::date, ${o.now.toISOString().slice(0, 10)}::date)`;
  // Each device: its own level (hash of the id), a daily cycle of ±3 and Gaussian-ish noise of ~0.5.
  const value = (t: string) => sql.unsafe(`(20 + (abs(hashtext(d.id::text)) % 20) + 3 * sin(2 * pi() * extract(epoch from ${t}) / 86400)
      + 0.5 * (random() + random() + random() + random() - 2) * 1.7)`);
  const [points] = await sql<{ n: number }[]>`
    with ins as (
      insert into public.telemetry_points (org_id, integration_id, device_id, ts, value, metric)
      select d.org_id, d.integration_id, d.id, g.ts, ${value('g.ts')}, ${o.metric}
      from public.devices d
      cross join generate_series(${o.now}::timestamptz - ${o.rawHours}::int * interval '1 hour', ${o.now}::timestamptz, ${o.intervalMinutes}::int * interval '1 minute') g(ts)
      where d.org_id = ${o.orgId} and d.removed_at is null
      on conflict do nothing
      returning 1
    ) select count(*)::int as n from ins`;
  const [rollups] = await sql<{ n: number }[]>`
    with ins as (
      insert into public.telemetry_rollups_1h (org_id, integration_id, device_id, bucket, min, max, sum, count, metric)
      select d.org_id, d.integration_id, d.id, g.bucket, v.v - 1, v.v + 1, v.v * 12, 12, ${o.metric}
      from public.devices d
      cross join generate_series(date_bin(interval '1 hour', ${from}::timestamptz, timestamptz 'epoch'), ${o.now}::timestamptz, interval '1 hour') g(bucket)
      cross join lateral (select ${value("(g.bucket + interval '30 minutes')")} as v) v
      where d.org_id = ${o.orgId} and d.removed_at is null
      on conflict do nothing
      returning 1
    ) select count(*)::int as n from ins`;
  // The cached column the prefilter reads holds the newest point, as a sync or ingest would have left it.
  if (o.metric === 'temperature' || o.metric === 'battery' || o.metric === 'rssi') {
    await sql`update public.devices d set ${sql(o.metric)} = p.value
              from (select distinct on (device_id) device_id, value from public.telemetry_points
                    where org_id = ${o.orgId} and metric = ${o.metric} order by device_id, ts desc) p
              where d.id = p.device_id and d.org_id = ${o.orgId}`;
  }
  return { points: points!.n, rollups: rollups!.n };
}

/** An enabled anomaly rule over the whole organization (inserted directly; the bench has no session). */
export async function insertAnomalyRule(sql: postgres.Sql, orgId: string, metric: 'temperature' | 'battery' | 'rssi', peers: 'off' | 'group' | 'thing_type' = 'off', label = ''): Promise<string> {
  const condition = { kind: 'anomaly', metric, sensitivity: 'medium', minHistoryHours: 1, peers, forSeconds: 0 };
  const [row] = await sql<{ id: string }[]>`
    insert into public.alert_rules (org_id, name, kind, severity, filter, condition, for_seconds, enabled)
    values (${orgId}, ${`bench anomaly ${metric} ${peers}${label}`}, 'anomaly', 'warning', '{}'::jsonb, ${sql.json(condition)}, 0, true)
    returning id`;
  return row!.id;
}

/**
 * Baselines for every device of the rule that has none, written straight from the generating model
 * above (level from the id's hash, a ±3 daily cycle, spread 0.5): what a finished refresh leaves,
 * without paying for one. Benchmarks of the scoring (and the alerts bench) start from here.
 */
export async function seedAnomalyBaselines(sql: postgres.Sql, o: { orgId: string; ruleId: string; metric: 'temperature' | 'battery' | 'rssi'; now: Date; intervalMinutes: number }): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    with ins as (
      insert into public.alert_anomaly_baselines (org_id, rule_id, device_id, metric_key, source, points, level, scale, daily_shape, noise,
                                                  interval_seconds, stuck_samples, history_from, history_to, refreshed_at)
      select d.org_id, ${o.ruleId}, d.id, ${JSON.stringify(o.metric)}, 'telemetry', 1440 / ${o.intervalMinutes}::int, 20 + (abs(hashtext(d.id::text)) % 20), 0.5,
             (select array_agg(3 * sin(2 * pi() * (h + 0.5) / 24) order by h) from generate_series(0, 23) h), 0.5,
             ${o.intervalMinutes}::int * 60, 10, ${o.now}::timestamptz - interval '7 days', ${o.now}, ${o.now}
      from public.devices d
      where d.org_id = ${o.orgId} and d.removed_at is null
      on conflict (rule_id, device_id) do nothing
      returning 1
    ) select count(*)::int as n from ins`;
  return row!.n;
}

/**
 * For the alerts bench (perf lane): `count` anomaly rules over the whole organization on one
 * metric, every other one comparing with peers per thing group, each with baselines for every
 * device (seedAnomalyHistory first, with the same metric and interval). Evaluate them with
 * `anomaly: anomalyCandidates()` (`src/features/alerts/anomaly`) in the evaluation's deps.
 */
export async function seedAnomalyRules(
  sql: postgres.Sql,
  o: { orgId: string; count: number; metric: 'temperature' | 'battery' | 'rssi'; now: Date; intervalMinutes: number },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < o.count; i++) {
    const ruleId = await insertAnomalyRule(sql, o.orgId, o.metric, i % 2 === 0 ? 'off' : 'group', ` #${i + 1}`);
    await seedAnomalyBaselines(sql, { orgId: o.orgId, ruleId, metric: o.metric, now: o.now, intervalMinutes: o.intervalMinutes });
    ids.push(ruleId);
  }
  return ids;
}
