import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, jobQueueDb } from '@/lib/db';
import { accountSubject, RateLimitedError, RateLimits, type RateLimitStore } from '@/lib/rate-limit';
import { adminSql, as, asAnon, closeAdminSql, createTestUser, silentLog } from '../../../scripts/test/fixtures';

/**
 * The limits hold in Postgres: two RateLimits instances (two app instances, here on two different
 * connection pools) count against the same rows, and the table is closed to the API roles.
 */
const env = {
  FLEETLINE_RATE_LIMIT_SYNC_NOW: '3/60',
  FLEETLINE_RATE_LIMIT_SIGN_IN_IP: '3/60/120',
  FLEETLINE_RATE_LIMIT_SIGN_IN_ACCOUNT: '4/60/120',
  FLEETLINE_RATE_LIMIT_SIGN_UP_ACCOUNT: '2/3600',
};

/** A second app instance: its own postgres.js pool (the fixtures' admin connection). */
const otherPool: RateLimitStore = {
  async executeSql(text, values = []) {
    return { rows: [...(await adminSql().unsafe(text, values as never[]))] };
  },
};

const instanceA = new RateLimits(jobQueueDb(), { env, log: silentLog });
const instanceB = new RateLimits(otherPool, { env, log: silentLog });

const ip = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${randomUUID().slice(0, 6)}`;
const email = () => `Person-${randomUUID().slice(0, 8)}@Example.test`;

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('a limit across app instances', () => {
  it('counts the points both instances consumed, and refuses on either once spent', async () => {
    const org = randomUUID();
    expect(await instanceA.consume('syncNow', org)).toEqual({ allowed: true });
    expect(await instanceB.consume('syncNow', org)).toEqual({ allowed: true });
    expect(await instanceA.consume('syncNow', org)).toEqual({ allowed: true });
    const refusedB = await instanceB.consume('syncNow', org);
    const refusedA = await instanceA.consume('syncNow', org);
    expect(refusedB.allowed).toBe(false);
    expect(refusedA.allowed).toBe(false);
    if (!refusedA.allowed) expect(refusedA.retryAfterSeconds).toBeGreaterThan(50);
    expect(await instanceB.consume('syncNow', randomUUID())).toEqual({ allowed: true });
    const [row] = await adminSql()<{ points: number }[]>`select points from public.rate_limits where key = ${`sync-now:${org}`}`;
    expect(row!.points).toBe(5);
  });

  it('enforce() refuses with RATE_LIMITED and says when to retry', async () => {
    const org = randomUUID();
    for (let i = 0; i < 3; i += 1) await instanceA.enforce('syncNow', org);
    const error = await instanceB.enforce('syncNow', org).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', limit: 'syncNow' });
    expect((error as RateLimitedError).message).toMatch(/^Too many sync requests\. Try again in (\d+ s|1 min)\.$/);
  });
});

describe('sign-in', () => {
  it('limits one client IP across accounts, then blocks it for the block duration', async () => {
    const client = ip();
    for (let i = 0; i < 3; i += 1) await (i % 2 ? instanceA : instanceB).beginSignIn(client, email());
    const error = await instanceA.beginSignIn(client, email()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', limit: 'signInIp' });
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThan(100);
    await expect(instanceB.beginSignIn(ip(), email())).resolves.toBeDefined();
  });

  it('limits one account from any IP, whatever the e-mail’s case', async () => {
    const account = email();
    for (let i = 0; i < 4; i += 1) await (i % 2 ? instanceA : instanceB).beginSignIn(ip(), i % 2 ? account.toLowerCase() : account);
    const error = await instanceB.beginSignIn(ip(), ` ${account.toUpperCase()} `).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', limit: 'signInAccount' });
    expect((error as RateLimitedError).message).toMatch(/^Too many sign-in attempts\. Try again in 2 min\.$/);
  });

  it('a success resets the account’s failures and gives the IP its point back', async () => {
    const account = email();
    const client = ip();
    for (let i = 0; i < 2; i += 1) await instanceA.beginSignIn(ip(), account);
    const attempt = await instanceA.beginSignIn(client, account);
    await attempt.succeeded();
    for (let i = 0; i < 3; i += 1) await instanceB.beginSignIn(ip(), account);
    const ipRow = await adminSql()<{ points: number }[]>`select points from public.rate_limits where key = ${`sign-in-ip:${client}`}`;
    expect(ipRow[0]!.points).toBe(0);
  });

  it('stores the account as a hash, never the address', async () => {
    const account = email();
    await instanceA.beginSignIn(ip(), account);
    const rows = await adminSql()<{ key: string }[]>`select key from public.rate_limits where key like 'sign-in-account:%'`;
    expect(rows.map((r) => r.key)).toContain(`sign-in-account:${accountSubject(account.toLowerCase())}`);
    expect(rows.some((r) => r.key.toLowerCase().includes('example.test'))).toBe(false);
  });
});

describe('sign-up', () => {
  it('limits one account from any IP', async () => {
    const account = email();
    await instanceA.limitSignUp(ip(), account);
    await instanceB.limitSignUp(ip(), account);
    await expect(instanceA.limitSignUp(ip(), account)).rejects.toMatchObject({ code: 'RATE_LIMITED', limit: 'signUpAccount' });
  });
});

describe('the store table', () => {
  it('is neither readable nor writable by a signed-in user or an anonymous caller', async () => {
    const user = await createTestUser('rate-limit');
    await instanceA.consume('syncNow', randomUUID());
    for (const run of [<T>(fn: Parameters<typeof asAnon<T>>[0]) => as(user, fn), asAnon]) {
      await expect(run((db) => db`select key from public.rate_limits`)).rejects.toMatchObject({ code: '42501' });
      await expect(run((db) => db`insert into public.rate_limits (key, points, expire) values ('sign-in-ip:x', 0, null)`)).rejects.toMatchObject({ code: '42501' });
      await expect(run((db) => db`update public.rate_limits set points = 0`)).rejects.toMatchObject({ code: '42501' });
      await expect(run((db) => db`delete from public.rate_limits`)).rejects.toMatchObject({ code: '42501' });
    }
  });
});
