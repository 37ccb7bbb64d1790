/**
 * The named limits. Each allows `points` per `duration` seconds per subject; going over blocks the
 * subject for `block` seconds (0: until the window ends). Override one with
 * FLEETLINE_RATE_LIMIT_<NAME>=points/duration[/block], e.g. FLEETLINE_RATE_LIMIT_SIGN_IN_IP=50/900/900.
 * `failClosed` limits refuse when the store cannot answer (brute-force protection); the others
 * let the request through and log a warning (availability first).
 */
export interface LimitSettings {
  points: number;
  duration: number;
  block: number;
}

export interface LimitDefinition extends LimitSettings {
  /** Stored as the key prefix; also names the env override (upper-cased, `-` → `_`). */
  prefix: string;
  /** Plural noun for the refusal message: "Too many <label>. Try again in 42 s." */
  label: string;
  failClosed: boolean;
}

export const LIMITS = {
  /** Failed sign-ins per client IP (a success gives its point back). */
  signInIp: { prefix: 'sign-in-ip', label: 'sign-in attempts', points: 20, duration: 15 * 60, block: 15 * 60, failClosed: true },
  /** Consecutive failed sign-ins per account, from any IP (a success resets it). */
  signInAccount: { prefix: 'sign-in-account', label: 'sign-in attempts', points: 10, duration: 15 * 60, block: 15 * 60, failClosed: true },
  signUpIp: { prefix: 'sign-up-ip', label: 'sign-up attempts', points: 20, duration: 60 * 60, block: 0, failClosed: true },
  signUpAccount: { prefix: 'sign-up-account', label: 'sign-up attempts', points: 5, duration: 60 * 60, block: 0, failClosed: true },
  /** Connection tests (draft and saved integrations) per organization: each makes several AWS calls. */
  testConnection: { prefix: 'test-connection', label: 'connection tests', points: 20, duration: 10 * 60, block: 0, failClosed: false },
  /** "Send test" on a notification channel per organization: each sends a real e-mail or webhook. */
  testNotification: { prefix: 'test-notification', label: 'test notifications', points: 20, duration: 10 * 60, block: 0, failClosed: false },
  inviteMember: { prefix: 'invite-member', label: 'invitations', points: 30, duration: 60 * 60, block: 0, failClosed: false },
  syncNow: { prefix: 'sync-now', label: 'sync requests', points: 10, duration: 10 * 60, block: 0, failClosed: false },
  /** Live-data set-up changes per organization: each creates, replaces or deletes IoT rules in AWS. */
  liveDataSetup: { prefix: 'live-data-setup', label: 'live-data changes', points: 20, duration: 10 * 60, block: 0, failClosed: false },
  /** Unauthenticated DestinationConfirmation posts per integration: each may call AWS on the tenant's budget. */
  destinationConfirmation: { prefix: 'destination-confirmation', label: 'destination confirmations', points: 10, duration: 10 * 60, block: 0, failClosed: false },
  /** CSV exports per user: each streams the whole filtered fleet. */
  deviceExport: { prefix: 'device-export', label: 'exports', points: 10, duration: 5 * 60, block: 0, failClosed: false },
  /** Telemetry queries per user (each may scan Timestream, which is billed per byte). */
  telemetry: { prefix: 'telemetry', label: 'telemetry queries', points: 120, duration: 60, block: 0, failClosed: false },
  /** Chart CSV downloads per user (each runs the chart's query, and may stream raw points). */
  telemetryExport: { prefix: 'telemetry-export', label: 'chart downloads', points: 20, duration: 5 * 60, block: 0, failClosed: false },
} as const satisfies Record<string, LimitDefinition>;

export type LimitName = keyof typeof LIMITS;

export function envVariableOf(definition: Pick<LimitDefinition, 'prefix'>): string {
  return `FLEETLINE_RATE_LIMIT_${definition.prefix.toUpperCase().replaceAll('-', '_')}`;
}

const OVERRIDE = /^(\d{1,7})\/(\d{1,7})(?:\/(\d{1,7}))?$/;

/** The definition with its env override applied; a malformed override stops with the variable's name. */
export function resolveLimit(name: LimitName, env: Record<string, string | undefined> = process.env): LimitDefinition {
  const definition: LimitDefinition = LIMITS[name];
  const variable = envVariableOf(definition);
  const raw = env[variable]?.trim();
  if (!raw) return definition;
  const match = OVERRIDE.exec(raw);
  const [points, duration, block] = match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : [0, 0, 0];
  if (!match || points < 1 || duration < 1) {
    throw new Error(`Invalid environment configuration: ${variable}: must be points/duration[/block] in seconds, e.g. 20/900/900`);
  }
  return { ...definition, points, duration, block };
}

/** "42 s", "3 min", "2 h": how long until a retry, rounded up. */
export function retryAfterText(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.ceil(seconds / 3600)} h`;
}
