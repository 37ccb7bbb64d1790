import { findGuardableRules } from '@/features/alerts/guards';
import type { Tx } from '@/lib/db';
import type { GuardCheck, GuardConfidence } from './guard-decision';

/** The health guard of one job as its page shows it (under the caller's RLS). */
export interface OtaJobGuardDto {
  /** The guard rules; a rule deleted since shows as null name. */
  rules: { id: string; name: string | null; condition: string | null }[];
  minTreated: number;
  marginPercent: number;
  confidence: GuardConfidence;
  lastCheckedAt: string | null;
  /** Shares per rule at the last check (updated after every alert evaluation while the job runs). */
  lastCheck: GuardCheck | null;
  trippedAt: string | null;
  /** The tripping rules with their shares, once the guard stopped the rollout. */
  trip: GuardCheck | null;
  /** Why the last attempt to stop the rollout failed (it is tried again at the next check). */
  tripError: string | null;
}

export async function getJobGuard(db: Tx, orgId: string, otaJobId: string): Promise<OtaJobGuardDto | null> {
  const [row] = await db<{ rule_ids: string[]; min_treated: number; margin_percent: string; confidence: string; last_checked_at: Date | null; last_check: GuardCheck | null; tripped_at: Date | null; trip: GuardCheck | null; trip_error: string | null }[]>`
    select rule_ids, min_treated, margin_percent, confidence, last_checked_at, last_check, tripped_at, trip, trip_error
    from public.ota_job_guards where org_id = ${orgId} and ota_job_id = ${otaJobId}`;
  if (!row) return null;
  const known = new Map((await findGuardableRules(db, orgId, row.rule_ids)).map((r) => [r.id, r]));
  return {
    rules: row.rule_ids.map((id) => ({ id, name: known.get(id)?.name ?? null, condition: known.get(id)?.condition ?? null })),
    minTreated: row.min_treated,
    marginPercent: Number(row.margin_percent),
    confidence: Number(row.confidence) as GuardConfidence,
    lastCheckedAt: row.last_checked_at?.toISOString() ?? null,
    lastCheck: row.last_check,
    trippedAt: row.tripped_at?.toISOString() ?? null,
    trip: row.trip,
    tripError: row.trip_error,
  };
}
