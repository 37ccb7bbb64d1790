'use server';

import { redirect } from 'next/navigation';
import { orgAction, userAction } from '@/lib/actions';
import { paths } from '@/lib/paths';
import { createOrgSchema, renameOrgSchema } from './schemas';
import { createOrganization, renameOrganization } from './service';

export const createOrgAction = userAction('createOrg', createOrgSchema, async (ctx, input) => createOrganization(ctx, input));

export async function createOrgAndOpenAction(raw: unknown) {
  const result = await createOrgAction(raw);
  if (result.ok) redirect(paths.org(result.data.slug));
  return result;
}

export const renameOrgAction = orgAction('renameOrg', { schema: renameOrgSchema, minRole: 'admin' }, renameOrganization);
