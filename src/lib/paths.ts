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
  otaJobs: (slug: string) => `/${slug}/ota`,
  otaJob: (slug: string, otaJobId: string) => `/${slug}/ota/${otaJobId}`,
  newOtaJob: (slug: string) => `/${slug}/ota/new`,
  integrations: (slug: string) => `/${slug}/integrations`,
  newIntegration: (slug: string) => `/${slug}/integrations/new`,
  integration: (slug: string, id: string) => `/${slug}/integrations/${id}`,
  members: (slug: string) => `/${slug}/members`,
  settings: (slug: string) => `/${slug}/settings`,
} as const;

/** Only same-origin absolute paths are accepted as redirect targets. */
export function safeNextPath(next: unknown, fallback: string = paths.home): string {
  if (typeof next !== 'string') return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}
