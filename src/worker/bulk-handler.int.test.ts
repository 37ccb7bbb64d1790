import { afterAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { silentLog, testKeyring } from '../../scripts/test/fixtures';
import { handleBulkJob } from './bulk-handler';

afterAll(() => closeDatabase());

describe('the bulk-operation job', () => {
  it('is retried, not dropped, when its operation is not committed yet', async () => {
    const deps = { db: asService, clients: integrationClients(testKeyring(), {}), log: silentLog };
    await expect(handleBulkJob(deps, { id: 'job-5', data: { operationId: '00000000-0000-4000-8000-0000000000aa' } })).rejects.toThrow(/not visible yet/);
  });

  it('drops a job whose payload is not a bulk operation reference', async () => {
    const deps = { db: asService, clients: integrationClients(testKeyring(), {}), log: silentLog };
    expect(await handleBulkJob(deps, { id: 'job-6', data: { operationId: 'not-a-uuid' } })).toEqual({ outcome: 'invalid' });
  });
});
