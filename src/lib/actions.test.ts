import pino from 'pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

/**
 * The org wrappers' transaction structure, with the session and the database door mocked:
 * orgAction runs its handler inside one asUser transaction; orgOutboundAction checks the
 * membership in a transaction that has ended before its handler runs, and each withDb is a new one.
 */
const state = vi.hoisted(() => ({ open: 0, opened: 0, role: 'admin' as string }));

vi.mock('server-only', () => ({}));
vi.mock('next/navigation', () => ({ unstable_rethrow: () => {} }));
vi.mock('./request-log', () => ({ requestLogger: async () => pino({ level: 'silent' }) }));
vi.mock('./auth', () => ({
  getSessionUser: async () => ({ id: 'user-1', email: 'u@example.test', claims: { sub: 'user-1', role: 'authenticated' } }),
}));
vi.mock('./db', () => ({
  asUser: async (_claims: unknown, fn: (db: unknown) => Promise<unknown>) => {
    state.open++;
    state.opened++;
    const db = async () => [{ id: 'org-1', slug: 'acme', name: 'Acme', role: state.role }];
    try {
      return await fn(db);
    } finally {
      state.open--;
    }
  },
}));

const { orgAction, orgOutboundAction } = await import('./actions');

const schema = z.object({ value: z.string() });

beforeEach(() => {
  state.open = 0;
  state.opened = 0;
  state.role = 'admin';
});

describe('orgOutboundAction', () => {
  it('runs the handler after the membership transaction ended; withDb opens a short one each time', async () => {
    const seen: number[] = [];
    const action = orgOutboundAction('test', { schema, minRole: 'operator' }, async (scope, input) => {
      seen.push(state.open);
      await scope.withDb(async (ctx) => {
        seen.push(state.open);
        expect(ctx.org).toEqual({ id: 'org-1', slug: 'acme', name: 'Acme' });
        expect(ctx.db).toBeTypeOf('function');
      });
      seen.push(state.open);
      return `${scope.role}:${input.value}`;
    });
    await expect(action('acme', { value: 'x' })).resolves.toEqual({ ok: true, data: 'admin:x' });
    expect(seen).toEqual([0, 1, 0]);
    expect(state.opened).toBe(2);
  });

  it('refuses a member below the minimum role before the handler runs', async () => {
    state.role = 'viewer';
    const handler = vi.fn();
    const action = orgOutboundAction('test', { schema, minRole: 'operator' }, handler);
    await expect(action('acme', { value: 'x' })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('validates the input and the slug before opening any transaction', async () => {
    const action = orgOutboundAction('test', { schema, minRole: 'viewer' }, async () => 'never');
    await expect(action('acme', { value: 1 })).resolves.toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    await expect(action('Not A Slug', { value: 'x' })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(state.opened).toBe(0);
  });
});

describe('orgAction', () => {
  it('runs pure-database handlers inside the one membership transaction', async () => {
    let inside = -1;
    const action = orgAction('test', { schema, minRole: 'viewer' }, async () => {
      inside = state.open;
      return 'done';
    });
    await expect(action('acme', { value: 'x' })).resolves.toEqual({ ok: true, data: 'done' });
    expect(inside).toBe(1);
    expect(state.opened).toBe(1);
  });
});
