/** Every route the app links to, in one typed place. */
export const paths = {
  home: '/',
  login: '/login',
  signup: '/signup',
  newOrg: '/orgs/new',
  invite: (token: string) => `/invite/${encodeURIComponent(token)}`,
  org: (slug: string) => `/${slug}`,
  devices: (slug: string) => `/${slug}/devices`,
  telemetry: (slug: string) => `/${slug}/telemetry`,
  otaJobs: (slug: string) => `/${slug}/ota`,
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
