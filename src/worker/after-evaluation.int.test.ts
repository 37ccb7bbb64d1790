import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { closeAdminSql, createTestOrg, silentLog, type TestOrg } from '../../scripts/test/fixtures';
import { evaluateOrgAlerts } from './alerts-handler';

/**
 * The hook after an organization's alert evaluation (the worker and the cron tick run the OTA health
 * guard there): it runs once per successful evaluation, for that organization, and its failure is
 * logged without failing the evaluation or the sync that triggered it.
 */
let org: TestOrg;

beforeAll(async () => {
  org = await createTestOrg('after-evaluation');
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('afterEvaluation', () => {
  it('runs once, for the evaluated organization, after the evaluation', async () => {
    const seen: string[] = [];
    const events = await evaluateOrgAlerts({ db: asService, log: silentLog, afterEvaluation: async (orgId) => void seen.push(orgId) }, org.id);
    expect(events).toEqual([]);
    expect(seen).toEqual([org.id]);
  });

  it('is logged and does not fail the evaluation when it throws', async () => {
    const logged: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    const events = await evaluateOrgAlerts({ db: asService, log, afterEvaluation: async () => Promise.reject(new Error('guard exploded')) }, org.id);
    expect(events).toEqual([]);
    expect(logged.some((l) => l.includes('after-evaluation hook failed') && l.includes('guard exploded'))).toBe(true);
  });
});
