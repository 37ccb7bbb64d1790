import { z } from 'zod';
import { actionsFor, type CapabilityId } from './aws-calls';

/**
 * The preflight's per-permission checks, how their results are stored in
 * `integrations.capabilities`, and which product features they switch on. Browser-safe.
 */
export interface CheckDefinition {
  id: CapabilityId;
  label: string;
  /** What stops working without it. */
  neededFor: string;
  /** Saving is refused while a required check fails. */
  required: boolean;
  /** False: needed, but the preflight does not call it (it would change the account). */
  tested: boolean;
  actions: string[];
}

export const CHECKS: readonly CheckDefinition[] = [
  { id: 'endpoint', label: 'Discover the IoT data endpoint', neededFor: 'Reaching shadows at your account’s own endpoint', required: false, tested: true, actions: actionsFor('endpoint') },
  { id: 'registryRead', label: 'Read the thing registry', neededFor: 'Device sync (required)', required: true, tested: true, actions: actionsFor('registryRead') },
  { id: 'shadowRead', label: 'Read device shadows', neededFor: 'Device state: connectivity, firmware, battery', required: false, tested: true, actions: actionsFor('shadowRead') },
  { id: 'fleetIndexing', label: 'Read the fleet indexing configuration', neededFor: 'Choosing the fast sync mode', required: false, tested: true, actions: actionsFor('fleetIndexing') },
  { id: 'fleetSearch', label: 'Search the fleet index', neededFor: 'Fast sync: registry, shadow and connectivity in one call', required: false, tested: true, actions: actionsFor('fleetSearch') },
  { id: 'jobsRead', label: 'Read jobs', neededFor: 'OTA job list and rollout progress', required: false, tested: true, actions: actionsFor('jobsRead') },
  { id: 'timestreamQuery', label: 'Query Timestream', neededFor: 'Telemetry charts from Timestream', required: false, tested: true, actions: actionsFor('timestreamQuery') },
  { id: 'deviceWrite', label: 'Write shadows and attributes', neededFor: 'Commands and attribute edits', required: false, tested: false, actions: actionsFor('deviceWrite') },
  { id: 'liveData', label: 'Manage IoT rules for live data', neededFor: 'Live data: Fleetline creates the rule destination and the telemetry and presence rules', required: false, tested: true, actions: actionsFor('liveData') },
  { id: 'jobsWrite', label: 'Create and cancel jobs', neededFor: 'Launching and cancelling OTA rollouts', required: false, tested: false, actions: actionsFor('jobsWrite') },
];

export function checkDefinition(id: CapabilityId): CheckDefinition {
  return CHECKS.find((c) => c.id === id)!;
}

export const SYNC_MODES = ['fleet_index', 'registry'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export const SYNC_MODE_LABELS: Record<SyncMode, string> = {
  fleet_index: 'Fleet index (one search returns registry, shadow and connectivity)',
  registry: 'Registry (ListThings pages plus one GetThingShadow per device)',
};

const capabilityIds = CHECKS.map((c) => c.id) as [CapabilityId, ...CapabilityId[]];

export const checkResultSchema = z.object({
  id: z.enum(capabilityIds),
  status: z.enum(['ok', 'failed', 'skipped', 'not_tested']),
  /** AWS error name, e.g. AccessDeniedException. */
  error: z.string().max(100).optional(),
  message: z.string().max(500).optional(),
  /** Extra facts, e.g. the indexing modes. */
  detail: z.string().max(300).optional(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

export const indexingSchema = z.object({ thingIndexingMode: z.string().max(40), thingConnectivityIndexingMode: z.string().max(40) });

/** What `integrations.capabilities` holds: the last preflight's results (never credentials). */
export const storedCapabilitiesSchema = z.object({
  checks: z.array(checkResultSchema),
  syncMode: z.enum(SYNC_MODES),
  indexing: indexingSchema.nullable(),
  testedAt: z.string(),
});
export type StoredCapabilities = z.infer<typeof storedCapabilitiesSchema>;

/** Parses the stored JSON; null when the integration was never tested (or the shape is unknown). */
export function readCapabilities(value: unknown): StoredCapabilities | null {
  const parsed = storedCapabilitiesSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export type AuthFailureKind = 'invalid_key' | 'invalid_secret' | 'expired' | 'assume_role' | 'trust_policy' | 'unreachable' | 'other';

/** The preflight's answer, as shown in the wizard and returned by the test action. */
export interface PreflightReport {
  /** Authentication worked (the key or the assumed role was accepted). */
  authenticated: boolean;
  authFailure: { kind: AuthFailureKind; error: string; message: string } | null;
  /** Saving is allowed: authenticated and every required check passed. */
  canSave: boolean;
  endpoint: string | null;
  syncMode: SyncMode | null;
  indexing: z.infer<typeof indexingSchema> | null;
  checks: CheckResult[];
  testedAt: string;
}

export function toStoredCapabilities(report: PreflightReport): StoredCapabilities | null {
  if (!report.authenticated || !report.syncMode) return null;
  return { checks: report.checks, syncMode: report.syncMode, indexing: report.indexing, testedAt: report.testedAt };
}

export type FeatureState = 'enabled' | 'disabled' | 'unverified';

export interface Feature {
  name: string;
  state: FeatureState;
  reason: string;
}

function describeFailure(result: CheckResult | undefined): string {
  if (!result) return 'Not tested yet';
  return `Refused by AWS (${result.error ?? 'error'}): grant ${checkDefinition(result.id).actions.join(', ')} to enable it`;
}

/** The features an integration's permissions switch on or off, with the reason. */
export function featuresFor(capabilities: StoredCapabilities | null, timestreamConfigured: boolean): Feature[] {
  const result = (id: CapabilityId) => capabilities?.checks.find((c) => c.id === id);
  const ok = (id: CapabilityId) => result(id)?.status === 'ok';
  if (!capabilities) {
    return [{ name: 'All features', state: 'disabled', reason: 'Run “Test connection” to find out what this integration may do.' }];
  }
  const features: Feature[] = [];
  features.push(
    ok('registryRead')
      ? { name: 'Device sync', state: 'enabled', reason: `Sync mode: ${SYNC_MODE_LABELS[capabilities.syncMode]}.` }
      : { name: 'Device sync', state: 'disabled', reason: `${describeFailure(result('registryRead'))}.` },
  );
  const shadowsViaIndex = capabilities.syncMode === 'fleet_index';
  features.push(
    ok('shadowRead') || shadowsViaIndex
      ? { name: 'Device state from shadows', state: 'enabled', reason: shadowsViaIndex ? 'Read from the fleet index.' : 'Read with GetThingShadow.' }
      : { name: 'Device state from shadows', state: 'disabled', reason: `${describeFailure(result('shadowRead'))}; until then devices show registry data only.` },
  );
  features.push({
    name: 'Commands and attribute edits',
    state: 'unverified',
    reason: `Needs ${checkDefinition('deviceWrite').actions.join(', ')}; not tested because testing would change your devices.`,
  });
  features.push(
    ok('jobsRead')
      ? { name: 'OTA job tracking', state: 'enabled', reason: 'Jobs and executions are read with ListJobs and DescribeJob.' }
      : { name: 'OTA job tracking', state: 'disabled', reason: `${describeFailure(result('jobsRead'))}.` },
  );
  features.push({
    name: 'OTA rollouts',
    state: ok('jobsRead') ? 'unverified' : 'disabled',
    reason: ok('jobsRead')
      ? `Needs ${checkDefinition('jobsWrite').actions.join(', ')}; not tested because testing would start a job.`
      : 'Needs job read access first.',
  });
  features.push(
    ok('liveData')
      ? { name: 'Live data set-up', state: 'enabled', reason: 'Fleetline creates the rule destination and the telemetry and presence rules itself.' }
      : { name: 'Live data set-up', state: 'disabled', reason: `${describeFailure(result('liveData'))}; until then the Live data card shows the rules to create by hand.` },
  );
  const timestream = result('timestreamQuery');
  features.push(
    !timestreamConfigured || timestream?.status === 'skipped'
      ? { name: 'Telemetry from Timestream', state: 'disabled', reason: 'No Timestream database configured; charts use the built-in shadow history.' }
      : ok('timestreamQuery')
        ? { name: 'Telemetry from Timestream', state: 'enabled', reason: 'Charts query your Timestream table.' }
        : {
            name: 'Telemetry from Timestream',
            state: 'disabled',
            reason: `${describeFailure(timestream)}; until then charts use the built-in shadow history.`,
          },
  );
  return features;
}
