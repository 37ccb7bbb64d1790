/** Organization roles, weakest first; safe to import in the browser. */
export const ORG_ROLES = ['viewer', 'operator', 'admin', 'owner'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export function hasRole(role: OrgRole, minRole: OrgRole): boolean {
  return ORG_ROLES.indexOf(role) >= ORG_ROLES.indexOf(minRole);
}

export const ROLE_LABELS: Record<OrgRole, string> = {
  viewer: 'Viewer',
  operator: 'Operator',
  admin: 'Admin',
  owner: 'Owner',
};

export const ROLE_DESCRIPTIONS: Record<OrgRole, string> = {
  viewer: 'Reads dashboards; changes nothing.',
  operator: 'Sends commands and edits device attributes.',
  admin: 'Connects AWS accounts, manages members, runs OTA jobs.',
  owner: 'Everything an admin can do, plus ownership and deleting the organization.',
};
