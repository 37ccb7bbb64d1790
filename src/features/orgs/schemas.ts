import { z } from 'zod';

/** Slugs that would collide with top-level routes. */
export const RESERVED_SLUGS = new Set(['login', 'signup', 'logout', 'invite', 'orgs', 'api', 'auth', 'settings', 'admin', 'health', 'new', 'static', 'public']);

export const orgSlugSchema = z
  .string()
  .trim()
  .min(3, 'Use at least 3 characters.')
  .max(40, 'Use at most 40 characters.')
  .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'Lowercase letters, digits and hyphens; start with a letter, end with a letter or digit.')
  .refine((slug) => !RESERVED_SLUGS.has(slug), 'This name is reserved; pick another.');

export const orgNameSchema = z.string().trim().min(1, 'Enter a name.').max(80, 'Use at most 80 characters.');

export const createOrgSchema = z.object({ name: orgNameSchema, slug: orgSlugSchema });
export type CreateOrgInput = z.infer<typeof createOrgSchema>;

export const renameOrgSchema = z.object({ name: orgNameSchema });
export type RenameOrgInput = z.infer<typeof renameOrgSchema>;

/** Suggests a slug from an organization name ("Acme Robotics GmbH" → "acme-robotics-gmbh"). */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}
