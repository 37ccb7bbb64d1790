// Defaults of the AWS fleet simulator. Test code imports these instead of repeating literals.

export const DEFAULT_PORT = 4566;
export const DEFAULT_HOST = '127.0.0.1';

export const DEMO_ACCOUNT_ID = '111122223333';
export const DEMO_REGION = 'us-east-1';
export const DEMO_THINGS = 1000;
export const DEMO_SEED = 42;

// Second tenant: indexing OFF, so the app's registry sync mode (ListThings + GetThingShadow) runs here.
export const SECOND_ACCOUNT_ID = '444455556666';
export const SECOND_ACCOUNT_THINGS = 200;
export const SECOND_ACCOUNT_SEED = 7;

export interface SimCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Full access to account 111122223333. */
export const DEMO_CREDENTIALS: SimCredentials = {
  accessKeyId: 'AKIAFLEETLINEDEMO001',
  secretAccessKey: 'FleetlineDemoSecretKey+Local+Only+000001',
};

/**
 * Same account, everything except Timestream and IoT rules (exercises the wizard's per-permission preflight:
 * live data needs the topic rule and destination actions).
 */
export const LIMITED_CREDENTIALS: SimCredentials = {
  accessKeyId: 'AKIAFLEETLINELIMIT01',
  secretAccessKey: 'FleetlineLimitSecretKey+Local+Only+00002',
};

/** Full access to the second account 444455556666. */
export const SECOND_CREDENTIALS: SimCredentials = {
  accessKeyId: 'AKIAFLEETLINETWO0001',
  secretAccessKey: 'FleetlineTwoSecretKey+Local+Only+0000003',
};

/** What the limited key may not do although it has `iot:*`: every topic rule and destination action. */
export const LIMITED_DENIED_ACTIONS = ['iot:*TopicRule*'] as const;

export const DEMO_ROLE_ARN = `arn:aws:iam::${DEMO_ACCOUNT_ID}:role/FleetlineAccess`;
export const DEMO_EXTERNAL_ID = 'fleetline-demo-external-id';
export const SECOND_ROLE_ARN = `arn:aws:iam::${SECOND_ACCOUNT_ID}:role/FleetlineAccess`;
export const SECOND_EXTERNAL_ID = 'fleetline-demo-external-id-2';

export const DEFAULT_TIMESTREAM_DATABASE = 'fleetline_demo';
export const DEFAULT_TIMESTREAM_TABLE = 'telemetry';
export const TIMESTREAM_DIMENSION = 'thing_name';
export const TELEMETRY_MEASURES = ['temperature', 'battery', 'rssi'] as const;
export type TelemetryMeasure = (typeof TELEMETRY_MEASURES)[number];
/** Telemetry points exist every 60 s (aligned to the epoch minute) over the retention window. */
export const TELEMETRY_INTERVAL_MS = 60_000;
export const TELEMETRY_RETENTION_DAYS = 30;

export type ThingIndexingMode = 'OFF' | 'REGISTRY' | 'REGISTRY_AND_SHADOW';
export type ConnectivityIndexingMode = 'OFF' | 'STATUS';

export interface KeyConfig extends SimCredentials {
  accountId: string;
  /** Shown in ARNs (`arn:aws:iam::<account>:user/<userName>`). */
  userName: string;
  /** IAM action patterns such as `iot:*`, `iot:List*`, `timestream:Select`; `*` = everything. */
  actions: string[];
  /** Explicitly denied action patterns; they win over `actions`, as an IAM Deny does. */
  deny?: string[];
}

export interface RoleConfig {
  roleArn: string;
  /** Required ExternalId; undefined means the role's trust policy has no ExternalId condition. */
  externalId?: string;
  actions: string[];
  deny?: string[];
  maxSessionDurationSeconds: number;
  /** Account ids or access key ids allowed to assume the role; undefined = any configured key. */
  trustedPrincipals?: string[];
}

export const DEFAULT_KEYS: KeyConfig[] = [
  { ...DEMO_CREDENTIALS, accountId: DEMO_ACCOUNT_ID, userName: 'fleetline-demo', actions: ['*'] },
  {
    ...LIMITED_CREDENTIALS,
    accountId: DEMO_ACCOUNT_ID,
    userName: 'fleetline-no-timestream',
    actions: ['iot:*', 'sts:AssumeRole'],
    deny: [...LIMITED_DENIED_ACTIONS],
  },
  { ...SECOND_CREDENTIALS, accountId: SECOND_ACCOUNT_ID, userName: 'fleetline-second', actions: ['*'] },
];

const ROLE_ACTIONS = ['iot:*', 'timestream:Select', 'timestream:DescribeEndpoints'];

export const DEFAULT_ROLES: RoleConfig[] = [
  { roleArn: DEMO_ROLE_ARN, externalId: DEMO_EXTERNAL_ID, actions: ROLE_ACTIONS, maxSessionDurationSeconds: 3600 },
  { roleArn: SECOND_ROLE_ARN, externalId: SECOND_EXTERNAL_ID, actions: ROLE_ACTIONS, maxSessionDurationSeconds: 3600 },
];

export interface IndexingSettings {
  thingIndexingMode: ThingIndexingMode;
  thingConnectivityIndexingMode: ConnectivityIndexingMode;
  namedShadowIndexingMode: 'OFF' | 'ON';
  /** Named shadows included in the index when namedShadowIndexingMode is ON. */
  namedShadowNames: string[];
  customFields: { name: string; type: 'Number' | 'String' | 'Boolean' }[];
}

/** The custom fields GetStatistics/GetBucketsAggregation may aggregate on, as a console user would set up. */
export const DEFAULT_CUSTOM_FIELDS: IndexingSettings['customFields'] = [
  { name: 'attributes.site', type: 'String' },
  { name: 'attributes.model', type: 'String' },
  { name: 'shadow.reported.firmware', type: 'String' },
  { name: 'shadow.reported.connected', type: 'Boolean' },
  { name: 'shadow.reported.battery', type: 'Number' },
  { name: 'shadow.reported.temperature', type: 'Number' },
  { name: 'shadow.reported.rssi', type: 'Number' },
];

export function defaultIndexing(mode: ThingIndexingMode = 'REGISTRY_AND_SHADOW'): IndexingSettings {
  return {
    thingIndexingMode: mode,
    thingConnectivityIndexingMode: mode === 'OFF' ? 'OFF' : 'STATUS',
    namedShadowIndexingMode: 'OFF',
    namedShadowNames: [],
    customFields: DEFAULT_CUSTOM_FIELDS.map((f) => ({ ...f })),
  };
}

export interface AccountOptions {
  accountId: string;
  region?: string;
  things?: number;
  seed?: number;
  indexing?: Partial<IndexingSettings>;
  timestreamDatabase?: string;
  timestreamTable?: string;
}

export const DEFAULT_ACCOUNTS: AccountOptions[] = [
  { accountId: DEMO_ACCOUNT_ID, region: DEMO_REGION, things: DEMO_THINGS, seed: DEMO_SEED },
  {
    accountId: SECOND_ACCOUNT_ID,
    region: DEMO_REGION,
    things: SECOND_ACCOUNT_THINGS,
    seed: SECOND_ACCOUNT_SEED,
    indexing: { thingIndexingMode: 'OFF', thingConnectivityIndexingMode: 'OFF' },
  },
];

/** How simulated devices and jobs behave; all durations are simulated milliseconds. */
export interface BehaviourSettings {
  /** An online device copies desired into reported this long after the desired write. */
  convergenceDelayMs: number;
  /** Devices report battery/rssi/temperature on this period while online (multiple of 60 s). */
  reportIntervalMs: number;
  /** Share of devices that are gone for good (offline since before the fleet was seeded). */
  deadFraction: number;
  /** Share of devices with an unreliable link (often offline for longer). */
  flakyFraction: number;
  jobs: JobBehaviour;
}

export interface JobBehaviour {
  /** Probability that one attempt of a job execution ends FAILED. */
  failureRate: number;
  /** Delay between notification (while online) and the device starting the execution. */
  pickupMs: [number, number];
  /** How long a started execution runs before it reports its result. */
  runMs: [number, number];
  /** Default rollout rate when CreateJob has no jobExecutionsRolloutConfig (AWS default). */
  defaultMaximumPerMinute: number;
}

export function defaultBehaviour(): BehaviourSettings {
  return {
    convergenceDelayMs: 5_000,
    reportIntervalMs: 300_000,
    deadFraction: 0.03,
    flakyFraction: 0.12,
    jobs: { failureRate: 0.05, pickupMs: [2_000, 20_000], runMs: [20_000, 180_000], defaultMaximumPerMinute: 1000 },
  };
}

export interface TimestreamSettings {
  /** 'auto' returns an empty first page (with NextToken) for queries scanning ≥ 100k points. */
  emptyFirstPage: 'never' | 'always' | 'auto';
  /** Refuse queries that would evaluate more telemetry points than this (keeps the simulator responsive). */
  maxPointsPerQuery: number;
  /** bin() sizes the simulator accepts. */
  allowedBinSizes: string[];
}

export function defaultTimestream(): TimestreamSettings {
  return {
    emptyFirstPage: 'auto',
    maxPointsPerQuery: 5_000_000,
    allowedBinSizes: ['1m', '5m', '10m', '15m', '30m', '1h', '6h', '12h', '1d'],
  };
}

/** Device Shadow limits (AWS IoT Core quotas page; the 2019 page said depth 5, current docs say 6). */
export const SHADOW_MAX_STATE_BYTES = 8192;
export const SHADOW_MAX_DEPTH = 6;
export const SHADOW_MAX_NAME_LENGTH = 64;

/** Fleet indexing query limits (AWS docs: 7 terms per query, 1000-byte queries). */
export const SEARCH_MAX_TERMS = 7;
export const SEARCH_MAX_QUERY_BYTES = 1000;
export const SEARCH_MAX_PAGE = 100;
