import { describe, expect, it } from 'vitest';
import { acceptInvitationSchema, changeMemberRoleSchema, inviteMemberSchema } from './schemas';
import { hashInviteToken, newInviteToken } from './tokens';

describe('inviteMemberSchema', () => {
  it('normalises the email', () => {
    expect(inviteMemberSchema.parse({ email: '  Ada@Example.COM ', role: 'viewer' })).toEqual({ email: 'ada@example.com', role: 'viewer' });
  });

  it('names the bad field', () => {
    const bad = inviteMemberSchema.safeParse({ email: 'not-an-email', role: 'superuser' });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path[0]);
    expect(paths).toEqual(expect.arrayContaining(['email', 'role']));
  });
});

describe('changeMemberRoleSchema', () => {
  it('requires a uuid and a known role', () => {
    expect(changeMemberRoleSchema.safeParse({ userId: 'x', role: 'admin' }).success).toBe(false);
    expect(changeMemberRoleSchema.safeParse({ userId: '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60', role: 'root' }).success).toBe(false);
    expect(changeMemberRoleSchema.safeParse({ userId: '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60', role: 'admin' }).success).toBe(true);
  });
});

describe('invite tokens', () => {
  it('are 43-char base64url values whose hash is stored instead', () => {
    const { token, hash } = newInviteToken();
    expect(acceptInvitationSchema.safeParse({ token }).success).toBe(true);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashInviteToken(token)).toBe(hash);
    expect(newInviteToken().token).not.toBe(token);
  });

  it('rejects malformed tokens before touching the database', () => {
    expect(acceptInvitationSchema.safeParse({ token: "x' or 1=1 --" }).success).toBe(false);
    expect(acceptInvitationSchema.safeParse({ token: 'a'.repeat(44) }).success).toBe(false);
  });
});
