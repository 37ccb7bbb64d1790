import type { Tx } from '@/lib/db';
import type { OrgRole } from '@/lib/roles';

export interface OrgSummary {
  id: string;
  slug: string;
  name: string;
  role: OrgRole;
}

/** The organizations the signed-in user belongs to (RLS limits rows to their memberships). */
export async function listMyOrganizations(db: Tx): Promise<OrgSummary[]> {
  return db<OrgSummary[]>`
    select o.id, o.slug, o.name, m.role
    from public.organizations o
    join public.memberships m on m.org_id = o.id and m.user_id = (select auth.uid())
    order by o.name`;
}
