import type { Tx } from '@/lib/db';
import type { DestinationStatus, RuleStatus } from './provision';
import { REJECT_REASONS, type RejectReason } from './validate';

/** What the integration page's "Live data" card shows (never the secret's hash or the confirmation token). */
export interface LiveDataView {
  enabled: boolean;
  secretHint: string | null;
  secretRotatedAt: Date | null;
  /** While a rotation's grace period lasts: when the replaced secret stops being accepted. */
  previousSecretExpiresAt: Date | null;
  topicFilter: string;
  destinationArn: string | null;
  destinationStatus: DestinationStatus | null;
  telemetryRule: { name: string | null; status: RuleStatus | null };
  presenceRule: { name: string | null; status: RuleStatus | null };
  lastError: string | null;
  lastMessageAt: Date | null;
  lastPresenceAt: Date | null;
  rejections: { reason: RejectReason; count: number; lastAt: Date }[];
}

interface Row {
  enabled: boolean;
  secret_hint: string | null;
  secret_rotated_at: Date | null;
  previous_secret_expires_at: Date | null;
  topic_filter: string;
  destination_arn: string | null;
  destination_status: DestinationStatus | null;
  telemetry_rule_name: string | null;
  telemetry_rule_status: RuleStatus | null;
  presence_rule_name: string | null;
  presence_rule_status: RuleStatus | null;
  last_error: string | null;
  last_message_at: Date | null;
  last_presence_at: Date | null;
}

/** Null when live data was never switched on for the integration. Runs as the user (RLS). */
export async function getLiveData(db: Tx, orgId: string, integrationId: string): Promise<LiveDataView | null> {
  const [row] = await db<Row[]>`
    select enabled, secret_hint, secret_rotated_at,
           case when previous_secret_expires_at > now() then previous_secret_expires_at end as previous_secret_expires_at, topic_filter, destination_arn, destination_status, telemetry_rule_name,
           telemetry_rule_status, presence_rule_name, presence_rule_status, last_error, last_message_at, last_presence_at
    from public.integration_live_data where org_id = ${orgId} and integration_id = ${integrationId}`;
  if (!row) return null;
  const rejections = await db<{ reason: RejectReason; count: string; last_at: Date }[]>`
    select reason, count, last_at from public.ingest_rejections
    where org_id = ${orgId} and integration_id = ${integrationId} order by count desc, reason`;
  return {
    enabled: row.enabled,
    secretHint: row.secret_hint,
    secretRotatedAt: row.secret_rotated_at,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    topicFilter: row.topic_filter,
    destinationArn: row.destination_arn,
    destinationStatus: row.destination_status,
    telemetryRule: { name: row.telemetry_rule_name, status: row.telemetry_rule_status },
    presenceRule: { name: row.presence_rule_name, status: row.presence_rule_status },
    lastError: row.last_error,
    lastMessageAt: row.last_message_at,
    lastPresenceAt: row.last_presence_at,
    rejections: rejections.filter((r) => (REJECT_REASONS as readonly string[]).includes(r.reason)).map((r) => ({ reason: r.reason, count: Number(r.count), lastAt: r.last_at })),
  };
}

/**
 * Which of these integrations have live data switched on (as the user: RLS applies). Their charts
 * read Fleetline's store; the others keep Timestream or the shadow history.
 */
export async function listLiveDataIntegrations(db: Tx, orgId: string, integrationIds: readonly string[]): Promise<Set<string>> {
  if (integrationIds.length === 0) return new Set();
  const rows = await db<{ integration_id: string }[]>`
    select integration_id from public.integration_live_data
    where org_id = ${orgId} and integration_id = any(${[...integrationIds]}::uuid[]) and enabled`;
  return new Set(rows.map((r) => r.integration_id));
}
