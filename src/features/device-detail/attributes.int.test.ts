import { DescribeThingCommand, UpdateThingCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { integrationClients } from '@/features/integrations/runtime/clients';
import { runSync } from '@/features/sync/engine';
import { DEMO_CREDENTIALS, SECOND_CREDENTIALS, type SimCredentials } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { clients, startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, closeAdminSql, createTestOrg, orgScopeFor, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import type { AwsDeps } from '@/features/commands/aws';
import { updateAttributeSchema } from './schemas';
import { updateDeviceAttribute } from './service';

/**
 * Attribute edits against the simulator: UpdateThing with the registry version the operator saw
 * (registry mode) or one read with DescribeThing (fleet-index mode, which has none), conflicts
 * explained and the cache brought up to date, and who may not edit.
 */
let sim: RunningSimulator;
let org: TestOrg;
let other: TestOrg;
let indexed: SimIntegration;
let registry: SimIntegration;
let deps: AwsDeps;

interface Row {
  id: string;
  thing_name: string;
  attributes: Record<string, string>;
  registry_version: string | null;
}

async function pick(integration: SimIntegration, offset: number): Promise<Row> {
  const rows = await adminSql()<Row[]>`
    select id, thing_name, attributes, registry_version from public.devices where integration_id = ${integration.id} order by thing_name offset ${offset} limit 1`;
  return rows[0]!;
}

const row = async (id: string) => (await adminSql()<Row[]>`select id, thing_name, attributes, registry_version from public.devices where id = ${id}`)[0]!;

function awsOf(credentials: SimCredentials) {
  return clients(sim, { credentials }).iot;
}

async function described(credentials: SimCredentials, thingName: string) {
  const iot = awsOf(credentials);
  try {
    const out = await iot.send(new DescribeThingCommand({ thingName }));
    return { attributes: out.attributes ?? {}, version: out.version! };
  } finally {
    iot.destroy();
  }
}

const edit = (role: 'operator' | 'viewer' | 'owner', input: unknown, as_: TestOrg = org) =>
  updateDeviceAttribute(orgScopeFor(as_, role), updateAttributeSchema.parse(input), deps);

async function rejection(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

beforeAll(async () => {
  sim = await startTestSimulator({ things: 12, seed: 5, indexing: 'REGISTRY_AND_SHADOW' });
  org = await createTestOrg('attr');
  other = await createTestOrg('attr-other');
  indexed = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
  registry = await createSimIntegration(org, sim, { credentials: SECOND_CREDENTIALS });
  for (const integration of [indexed, registry]) {
    const outcome = await runSync(simSyncDeps(sim, { tuning: { namedShadows: false } }), { integrationId: integration.id, trigger: 'cli' });
    expect(outcome).toMatchObject({ outcome: 'ran', run: { status: 'succeeded' } });
  }
  deps = { clients: integrationClients(testKeyring(), {}) };
});

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('registry mode (the cache holds the registry version)', () => {
  it('sets an attribute with expectedVersion = the version seen, then the cache and the audit follow', async () => {
    const device = await pick(registry, 0);
    const seen = Number(device.registry_version);
    expect(seen).toBe((await described(SECOND_CREDENTIALS, device.thing_name)).version);
    const result = await edit('operator', { op: 'set', deviceId: device.id, name: 'room', value: 'lab-2', expectedVersion: seen });
    expect(result).toEqual({ attributes: { ...device.attributes, room: 'lab-2' }, registryVersion: seen + 1, versionSource: 'cache' });
    expect(await described(SECOND_CREDENTIALS, device.thing_name)).toEqual({ attributes: result.attributes, version: seen + 1 });
    const cached = await row(device.id);
    expect(cached.attributes).toEqual(result.attributes);
    expect(Number(cached.registry_version)).toBe(seen + 1);
    const [audit] = await adminSql()`select actor_id, action, details from public.audit_log where org_id = ${org.id} and target_id = ${device.id}`;
    expect(audit).toMatchObject({ actor_id: org.members.operator.id, action: 'device.attribute_set', details: { name: 'room', value: 'lab-2', registryVersion: seen + 1, versionSource: 'cache' } });

    // Removing sends the attribute with an empty value.
    const removed = await edit('operator', { op: 'remove', deviceId: device.id, name: 'room', expectedVersion: seen + 1 });
    expect(removed.attributes).toEqual(device.attributes);
    expect((await described(SECOND_CREDENTIALS, device.thing_name)).attributes).toEqual(device.attributes);
  });

  it('explains a conflict when the thing changed elsewhere, changes nothing in AWS and refreshes the cache', async () => {
    const device = await pick(registry, 1);
    const seen = Number(device.registry_version);
    const iot = awsOf(SECOND_CREDENTIALS);
    await iot.send(new UpdateThingCommand({ thingName: device.thing_name, attributePayload: { attributes: { owner: 'someone-else' }, merge: true } }));
    iot.destroy();
    const error = await rejection(edit('operator', { op: 'set', deviceId: device.id, name: 'owner', value: 'me', expectedVersion: seen }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/changed in AWS since you loaded them \(registry version \d+ is now \d+\)/);
    const aws = await described(SECOND_CREDENTIALS, device.thing_name);
    expect(aws.attributes.owner).toBe('someone-else');
    const cached = await row(device.id);
    expect(cached.attributes).toEqual(aws.attributes);
    expect(Number(cached.registry_version)).toBe(aws.version);
    // With what the page now shows, saving again works.
    const retry = await edit('operator', { op: 'set', deviceId: device.id, name: 'owner', value: 'me', expectedVersion: aws.version });
    expect(retry.attributes.owner).toBe('me');
    expect(await adminSql()`select 1 from public.audit_log where target_id = ${device.id}`).toHaveLength(1);
  });
});

describe('fleet-index mode (no registry version in the cache)', () => {
  it('reads the version with DescribeThing first, and says so', async () => {
    const device = await pick(indexed, 0);
    expect(device.registry_version).toBeNull();
    const result = await edit('operator', { op: 'set', deviceId: device.id, name: 'room', value: 'b-12', expectedVersion: null });
    expect(result.versionSource).toBe('describe');
    const aws = await described(DEMO_CREDENTIALS, device.thing_name);
    expect(aws.attributes).toEqual({ ...device.attributes, room: 'b-12' });
    expect(result.registryVersion).toBe(aws.version);
    expect(Number((await row(device.id)).registry_version)).toBe(aws.version);
  });

  it('refuses when the attributes in AWS are no longer the ones the operator saw', async () => {
    const device = await pick(indexed, 1);
    const iot = awsOf(DEMO_CREDENTIALS);
    await iot.send(new UpdateThingCommand({ thingName: device.thing_name, attributePayload: { attributes: { site: 'moved' }, merge: true } }));
    iot.destroy();
    const error = await rejection(edit('operator', { op: 'set', deviceId: device.id, name: 'room', value: 'x', expectedVersion: null }));
    expect(error.code).toBe('CONFLICT');
    const aws = await described(DEMO_CREDENTIALS, device.thing_name);
    expect(aws.attributes.room).toBeUndefined();
    expect((await row(device.id)).attributes.site).toBe('moved');
  });
});

describe('who may edit', () => {
  it('refuses a viewer and touches nothing', async () => {
    const device = await pick(registry, 2);
    const before = await described(SECOND_CREDENTIALS, device.thing_name);
    const error = await rejection(edit('viewer', { op: 'set', deviceId: device.id, name: 'room', value: 'x', expectedVersion: Number(device.registry_version) }));
    expect(error.code).toBe('FORBIDDEN');
    expect(await described(SECOND_CREDENTIALS, device.thing_name)).toEqual(before);
  });

  it('does not let an operator of another organization reach the device', async () => {
    const device = await pick(registry, 3);
    const before = await described(SECOND_CREDENTIALS, device.thing_name);
    const error = await rejection(edit('operator', { op: 'set', deviceId: device.id, name: 'room', value: 'x', expectedVersion: Number(device.registry_version) }, other));
    expect(error.code).toBe('NOT_FOUND');
    expect(await described(SECOND_CREDENTIALS, device.thing_name)).toEqual(before);
  });

  it('refuses names and values AWS would refuse, with a message on the field', () => {
    const bad = updateAttributeSchema.safeParse({ op: 'set', deviceId: '00000000-0000-4000-8000-000000000000', name: 'has space', value: 'ok', expectedVersion: 1 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['name']);
    const badValue = updateAttributeSchema.safeParse({ op: 'set', deviceId: '00000000-0000-4000-8000-000000000000', name: 'ok', value: 'no spaces please', expectedVersion: 1 });
    expect(badValue.error!.issues[0]!.path).toEqual(['value']);
  });
});
