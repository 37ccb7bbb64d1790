import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { closeDatabase } from '@/lib/db';
import { closeAdminSql, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';

/**
 * A limited route handler answers 429 with Retry-After: the telemetry route's real GET, on the real
 * database and limiter. Only Next's request scope is stood in for (the session lookup and
 * headers(), which exist only inside a Next request).
 */
const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock('server-only', () => ({}));
vi.mock('next/headers', () => ({ headers: async () => new Headers(), cookies: async () => ({ getAll: () => [], set: () => {} }) }));
vi.mock('@/lib/auth', () => ({ getSessionUser: async () => session.user }));

let org: TestOrg;

beforeAll(async () => {
  process.env.FLEETLINE_RATE_LIMIT_TELEMETRY = '2/60';
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
