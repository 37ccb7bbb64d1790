/** Every route the app links to, in one typed place. */
export const paths = {
  home: '/',
  login: '/login',
  signup: '/signup',
  newOrg: '/orgs/new',
  invite: (token: string) => `/invite/${encodeURIComponent(token)}`,
  org: (slug: string) => `/${slug}`,
  /** `query` is a device filter's `?…` (see features/devices/filters `deviceFilterQuery`). */
  devices: (slug: string, query = '') => `/${slug}/devices${query}`,
  device: (slug: string, deviceId: string) => `/${slug}/devices/${deviceId}`,
  bulkActions: (slug: string, query = '') => `/${slug}/devices/bulk${query}`,
  bulkOperation: (slug: string, operationId: string) => `/${slug}/devices/bulk/${operationId}`,
  devicesExport: (slug: string, query = '') => `/api/orgs/${slug}/devices/export${query}`,
  telemetry: (slug: string) => `/${slug}/telemetry`,
  deviceTelemetry: (slug: string, deviceId: string) => `/${slug}/telemetry?device=${deviceId}`,
  /** The fleet chart over the devices a filter selects; `query` as for `devices`. */
  fleetTelemetry: (slug: string, query = '') => `/${slug}/telemetry${query}`,
  /** A chart's series as CSV; `query` is the chart's own query string (without `?`). */
  telemetryExport: (slug: string, query: string) => `/api/orgs/${slug}/telemetry/export?${query}`,
  otaJobs: (slug: string) => `/${slug}/ota`,
  otaJob: (slug: string, otaJobId: string) => `/${slug}/ota/${otaJobId}`,
  newOtaJob: (slug: string) => `/${slug}/ota/new`,
  notifications: (slug: string) => `/${slug}/settings/notifications`,
  notificationChannel: (slug: string, channelId: string) => `/${slug}/settings/notifications/${channelId}`,
  integrations: (slug: string) => `/${slug}/integrations`,
  newIntegration: (slug: string) => `/${slug}/integrations/new`,
  integration: (slug: string, id: string) => `/${slug}/integrations/${id}`,
  /** `query` is the alerts page's own `?state=…&severity=…&rule=…&device=…`. */
  alerts: (slug: string, query = '') => `/${slug}/alerts${query}`,
  alertRules: (slug: string) => `/${slug}/alerts/rules`,
  newAlertRule: (slug: string) => `/${slug}/alerts/rules/new`,
  alertRule: (slug: string, ruleId: string) => `/${slug}/alerts/rules/${ruleId}`,
  alertsUnread: (slug: string) => `/api/orgs/${slug}/alerts/unread`,
  notificationChannels: (slug: string) => `/${slug}/settings/notifications`,
  members: (slug: string) => `/${slug}/members`,
  settings: (slug: string) => `/${slug}/settings`,
  /** Where an integration's IoT rules deliver (live data); public, authenticated by the secret header. */
  ingest: (integrationId: string) => `/api/ingest/v1/${integrationId}`,
} as const;

// Parsing against a fixed stand-in origin works in the browser and on the server alike: a target
// that resolves anywhere else (//host, /\host, https:host, javascript:) is not a same-origin path.
const BASE = 'http://fleetline.invalid';
// Controls and backslashes: URL parsers drop or reinterpret them, so a target carrying them
// (raw or percent-encoded) could mean something else to the next parser down the line.
const AMBIGUOUS = /[\u0000-\u001f\u007f\\]/;

/** A redirect target (e.g. the `next` parameter) as a same-origin path with its query, or `fallback`. */
export function safeNextPath(next: unknown, fallback: string = paths.home): string {
  if (typeof next !== 'string' || !next.startsWith('/') || AMBIGUOUS.test(next)) return fallback;
  let url: URL;
  let decodedPath: string;
  try {
    url = new URL(next, BASE);
    decodedPath = decodeURIComponent(url.pathname);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE || url.pathname.startsWith('//') || decodedPath.startsWith('//') || AMBIGUOUS.test(decodedPath)) {
    return fallback;
  }
  return `${url.pathname}${url.search}${url.hash}`;
}
