import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase } from '@/lib/db';
import { writeTelemetryPoints } from '@/features/telemetry-store/service';
import { adminSql, closeAdminSql, createTestIntegration, createTestOrg, silentLog } from '../../scripts/test/fixtures';
import { handleTelemetryPartitionsJob, handleTelemetryRetentionJob, PARTITION_DAYS_AHEAD } from './telemetry-maintenance-handler';

/** The worker's telemetry upkeep jobs on the real database. */
const DAY = 86_400_000;
const deps = { db: asService, log: silentLog };

async function partitions(): Promise<string[]> {
  const rows = await adminSql()<{ name: string }[]>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'public.telemetry_points'::regclass`;
  return rows.map((r) => r.name);
}
const nameOf = (ms: number) => `points_${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`;

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('telemetry maintenance jobs', () => {
  it('the partitions job keeps a week of partitions ahead, and a second run creates none', async () => {
    await handleTelemetryPartitionsJob(deps);
    const names = await partitions();
    for (let d = -1; d <= PARTITION_DAYS_AHEAD; d++) expect(names).toContain(nameOf(Date.now() + d * DAY));
    expect(await handleTelemetryPartitionsJob(deps)).toEqual({ created: 0 });
  });

  it('the retention job drops a partition past every retention and reports it', async () => {
    const org = await createTestOrg('maint');
    const integration = (await createTestIntegration(org)).id;
    const old = Date.now() - 120 * DAY;
    await asService((db) => writeTelemetryPoints(db, [{ orgId: org.id, integrationId: integration, deviceId: randomUUID(), metric: 'battery', ts: new Date(old), value: 1 }]));
    expect(await partitions()).toContain(nameOf(old));
    const result = await handleTelemetryRetentionJob(deps);
    expect(result.droppedPartitions).toContain(nameOf(old));
    expect(await partitions()).not.toContain(nameOf(old));
  });
});
