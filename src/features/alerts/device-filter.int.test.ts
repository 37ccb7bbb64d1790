import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeviceFilter } from '@/features/devices/filters';
import { countDevices, listDevices } from '@/features/devices/queries';
import { closeDatabase } from '@/lib/db';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, orgContext, type TestOrg } from '../../../scripts/test/fixtures';
import { createRuleSchema } from './schemas';
import { createRule } from './service';

/**
 * The device list's "has open alert" filter (`?alert=open`): devices with a firing or acknowledged
 * alert, in the member's own organization only; pending and resolved alerts do not count.
 */
let org: TestOrg;
let other: TestOrg;
const ids: Record<string, string> = {};

async function device(target: TestOrg, integrationId: string, thingName: string): Promise<string> {
  const id = randomUUID();
  await adminSql()`
    insert into public.devices (id, org_id, integration_id, thing_name, status, sync_hash)
    values (${id}, ${target.id}, ${integrationId}, ${thingName}, 'offline', 'test')`;
  return id;
}

async function alert(target: TestOrg, ruleId: string, deviceId: string, state: string): Promise<void> {
  await adminSql()`
    insert into public.alerts (org_id, rule_id, device_id, subject_key, state, severity, summary, condition_since, last_evaluated_at, fired_at, resolved_at)
    values (${target.id}, ${ruleId}, ${deviceId}, ${deviceId}, ${state}::public.alert_state, 'warning', 'test', now(), now(),
            ${state === 'pending' ? null : new Date()}, ${state === 'resolved' ? new Date() : null})`;
}

async function rule(target: TestOrg): Promise<string> {
  const input = createRuleSchema.parse({ name: `offline-${randomUUID().slice(0, 6)}`, condition: { kind: 'offline', minutes: 5 } });
  return (await as(target.members.operator, (db) => createRule(orgContext(db, target, 'operator'), input))).ruleId;
}

beforeAll(async () => {
  org = await createTestOrg('alert-filter');
  other = await createTestOrg('alert-filter-other');
  const integration = (await createTestIntegration(org)).id;
  const otherIntegration = (await createTestIntegration(other)).id;
  const ruleId = await rule(org);
  const otherRule = await rule(other);
  for (const name of ['firing', 'acknowledged', 'pending', 'resolved', 'quiet']) ids[name] = await device(org, integration, `af-${name}`);
  for (const state of ['firing', 'acknowledged', 'pending', 'resolved']) await alert(org, ruleId, ids[state]!, state);
  ids.foreign = await device(other, otherIntegration, 'af-foreign');
  await alert(other, otherRule, ids.foreign, 'firing');
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

describe('the "has open alert" device filter', () => {
  it('lists and counts exactly the devices with a firing or acknowledged alert', async () => {
    const { filter, invalid } = parseDeviceFilter(new URLSearchParams('alert=open'));
    expect(invalid).toEqual([]);
    const page = await as(org.members.viewer, (db) => listDevices(db, org.id, { filter }));
    expect(page.items.map((d) => d.thingName).sort()).toEqual(['af-acknowledged', 'af-firing']);
    expect(await as(org.members.viewer, (db) => countDevices(db, org.id, filter))).toBe(2);
    // Without the filter every device of the org is listed, and never another org's.
    const all = await as(org.members.viewer, (db) => listDevices(db, org.id, { filter: {} }));
    expect(all.items.map((d) => d.thingName)).not.toContain('af-foreign');
    expect(all.items).toHaveLength(5);
  });
});
