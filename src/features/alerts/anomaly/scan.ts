import type { Tx } from '@/lib/db';

export interface FullScanArgs {
  orgId: string;
  ruleId: string;
  now: Date;
  /** A new pass over the rule's devices starts at most this long after the last one ended. */
  intervalMs: number;
  /** Devices scanned in full per evaluation while a pass is under way. */
  batch: number;
}

/**
 * The devices of this evaluation's full-scan batch: stuck sensors and slow drifts show only in a
 * run of recent points, never in the one cached value the prefilter scores, so every device of the
 * rule is read in full once per pass. A pass walks the rule's baselines in device-id order, `batch`
 * per evaluation, and the next pass starts `intervalMs` after one ends. The price is latency: a
 * stuck or drifting device that is still inside its hold band is found up to
 * `intervalMs + ceil(devices / batch)` evaluations late (10 min + 50 evaluations at 100k devices with
 * the defaults); a value that leaves the band is found by the prefilter at once.
 */
export async function fullScanBatch(tx: Tx, args: FullScanArgs): Promise<string[]> {
  const { orgId, ruleId, now, intervalMs, batch } = args;
  await tx`insert into public.alert_anomaly_scans (org_id, rule_id) values (${orgId}, ${ruleId}) on conflict (rule_id) do nothing`;
  const [state] = await tx<{ cursor: string | null; last: Date | null }[]>`
    select cursor_device_id as cursor, last_full_scan_at as last from public.alert_anomaly_scans where rule_id = ${ruleId} for update`;
  if (!state) return [];
  const passUnderWay = state.cursor !== null;
  if (!passUnderWay && state.last && now.getTime() - new Date(state.last).getTime() < intervalMs) return [];
  const rows = await tx<{ device_id: string }[]>`
    select device_id from public.alert_anomaly_baselines
    where rule_id = ${ruleId} and org_id = ${orgId} and (${state.cursor}::uuid is null or device_id > ${state.cursor}::uuid)
    order by device_id limit ${batch}`;
  const ids = rows.map((r) => r.device_id);
  if (ids.length < batch) {
    await tx`update public.alert_anomaly_scans set cursor_device_id = null, last_full_scan_at = ${now},
               pass_started_at = coalesce(pass_started_at, ${now}) where rule_id = ${ruleId}`;
  } else {
    await tx`update public.alert_anomaly_scans set cursor_device_id = ${ids.at(-1)!},
               pass_started_at = case when ${passUnderWay} then pass_started_at else ${now} end where rule_id = ${ruleId}`;
  }
  return ids;
}
