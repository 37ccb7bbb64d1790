import { describe, expect, it } from 'vitest';
import { createOrgSchema, orgSlugSchema, slugify } from './schemas';

describe('orgSlugSchema', () => {
  it.each(['acme', 'acme-robotics', 'a1b', 'fleet-2026'])('accepts %s', (slug) => {
    expect(orgSlugSchema.safeParse(slug).success).toBe(true);
  });

  it.each([
    ['ab', 'Use at least 3 characters.'],
    ['Acme', 'Lowercase letters'],
    ['1acme', 'Lowercase letters'],
    ['acme-', 'Lowercase letters'],
    ['ac me', 'Lowercase letters'],
    ['a'.repeat(41), 'Use at most 40 characters.'],
    ['login', 'reserved'],
    ['api', 'reserved'],
  ])('rejects %s with a message', (slug, message) => {
    const result = orgSlugSchema.safeParse(slug);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });
});

describe('createOrgSchema', () => {
  it('trims the name and requires one', () => {
    expect(createOrgSchema.parse({ name: '  Acme  ', slug: 'acme' })).toEqual({ name: 'Acme', slug: 'acme' });
    expect(createOrgSchema.safeParse({ name: '   ', slug: 'acme' }).success).toBe(false);
  });
});

describe('slugify', () => {
  it('turns names into valid slugs', () => {
    expect(slugify('Acme Robotics GmbH')).toBe('acme-robotics-gmbh');
    expect(slugify('Zürich Öl & Gas')).toBe('zurich-ol-gas');
    expect(slugify('42 Things')).toBe('things');
    expect(orgSlugSchema.safeParse(slugify('Acme Robotics GmbH')).success).toBe(true);
  });
});
