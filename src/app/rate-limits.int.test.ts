import { randomUUID } from 'node:crypto';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { closeDatabase } from '@/lib/db';
import { closeAdminSql, createTestOrg, type TestOrg } from '../../scripts/test/fixtures';

/**
 * Limited handlers as a request runs them: route handlers answer 429 with Retry-After, org actions
 * return RATE_LIMITED. Real handlers, database and limiter; only Next's request scope is stood in
 * for (the session lookup and headers(), which exist only inside a Next request).
 */
const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock('server-only', () => ({}));
vi.mock('next/headers', () => ({ headers: async () => new Headers(), cookies: async () => ({ getAll: () => [], set: () => {} }) }));
vi.mock('@/lib/auth', () => ({ getSessionUser: async () => session.user }));

let org: TestOrg;

beforeAll(async () => {
  process.env.FLEETLINE_RATE_LIMIT_TELEMETRY = '2/60';
  process.env.FLEETLINE_RATE_LIMIT_DEVICE_EXPORT = '1/300';
  process.env.FLEETLINE_RATE_LIMIT_INVITE_MEMBER = '2/3600';
  process.env.APP_URL = 'http://127.0.0.1:3000';
  org = await createTestOrg('rl-route');
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

async function getTelemetry(user: SessionUser) {
  session.user = user;
  const { GET } = await import('@/app/api/orgs/[orgSlug]/telemetry/route');
  const request = new NextRequest(`http://127.0.0.1/api/orgs/${org.slug}/telemetry?metric=temperature&range=24h`);
  return GET(request, { params: Promise.resolve({ orgSlug: org.slug }) });
}

describe('GET /api/orgs/[orgSlug]/telemetry', () => {
  it('answers 429 with Retry-After once the user’s telemetry budget is spent, per user', async () => {
    const viewer = org.members.viewer;
    for (let i = 0; i < 2; i += 1) expect((await getTelemetry(viewer)).status).toBe(200);
    const limited = await getTelemetry(viewer);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect(await limited.json()).toEqual({
      error: expect.stringMatching(/^Too many telemetry queries\. Try again in (\d+ s|1 min)\.$/),
      code: 'RATE_LIMITED',
      retryAfterSeconds: retryAfter,
    });
    expect((await getTelemetry(org.members.operator)).status).toBe(200);
  });
});

describe('GET /api/orgs/[orgSlug]/devices/export', () => {
  it('answers 429 with Retry-After on the second export within the window', async () => {
    session.user = org.members.operator;
    const { GET } = await import('@/app/api/orgs/[orgSlug]/devices/export/route');
    const exportCsv = () => GET(new NextRequest(`http://127.0.0.1/api/orgs/${org.slug}/devices/export`), { params: Promise.resolve({ orgSlug: org.slug }) });
    const first = await exportCsv();
    expect(first.status).toBe(200);
    await first.text();
    const limited = await exportCsv();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(240);
    expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED', error: expect.stringMatching(/^Too many exports\. Try again in 5 min\.$/) });
  });
});

describe('inviteMemberAction', () => {
  it('returns RATE_LIMITED once the organization’s invitations are spent, for any admin of it', async () => {
    const { inviteMemberAction } = await import('@/features/members/actions');
    const invite = (user: SessionUser) => {
      session.user = user;
      return inviteMemberAction(org.slug, { email: `invitee-${randomUUID().slice(0, 8)}@example.test`, role: 'viewer' });
    };
    expect(await invite(org.members.owner)).toMatchObject({ ok: true });
    expect(await invite(org.members.admin)).toMatchObject({ ok: true });
    expect(await invite(org.members.admin)).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many invitations\. Try again in 1 h\.$/) },
    });
  });
});
