import { recordAudit } from '@/lib/audit';
import type { OrgContext, UserContext } from '@/lib/context';
import { AppError } from '@/lib/errors';
import type { CreateOrgInput, RenameOrgInput } from './schemas';

/** Creates an organization with the caller as owner; returns its slug. */
export async function createOrganization(ctx: UserContext, input: CreateOrgInput): Promise<{ id: string; slug: string }> {
  try {
    const [row] = await ctx.db<{ id: string }[]>`select public.create_organization(${input.slug}, ${input.name}) as id`;
    if (!row) throw new Error('create_organization returned no row');
    ctx.log.info({ orgId: row.id }, 'organization created');
    return { id: row.id, slug: input.slug };
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new AppError('CONFLICT', 'That URL is already taken.', { slug: ['That URL is already taken; try another.'] });
    }
    throw error;
  }
}

export async function renameOrganization(ctx: OrgContext, input: RenameOrgInput): Promise<void> {
  const rows = await ctx.db`
    update public.organizations set name = ${input.name}
    where id = ${ctx.org.id}
    returning id`;
  if (rows.length === 0) throw new AppError('FORBIDDEN', 'Only admins can rename the organization.');
  await recordAudit(ctx, 'org.renamed', { type: 'organization', id: ctx.org.id }, { from: ctx.org.name, to: input.name });
}
