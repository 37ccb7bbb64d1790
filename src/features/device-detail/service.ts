import { DescribeThingCommand, UpdateThingCommand, type IoTClient } from '@aws-sdk/client-iot';
import { recordAudit } from '@/lib/audit';
import type { OrgScope } from '@/lib/context';
import { asService } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { awsFailure, integrationForWrite, openClients, type AwsDeps } from '@/features/commands/aws';
import { getDeviceTargetOrThrow } from '@/features/commands/queries';
import { requireOperator } from '@/features/commands/service';
import type { Db } from '@/features/sync/runs';
import { writeAttributeEdit } from '@/features/sync/writer';
import { MAX_ATTRIBUTES_TYPED, MAX_ATTRIBUTES_UNTYPED, type UpdateAttributeInput } from './schemas';

/**
 * Attribute edits: UpdateThing with `expectedVersion` = the registry version the operator saw, so
 * an edit made elsewhere in between is a conflict, never overwritten. Fleet-index syncs do not read
 * registry versions: then the version is read with DescribeThing, and the attributes AWS holds must
 * still be the ones the operator saw. The cached row follows AWS after every answer.
 */

export interface AttributeUpdateResult {
  attributes: Record<string, string>;
  registryVersion: number;
  /** Where expectedVersion came from: the cached row (as synced) or DescribeThing just before the write. */
  versionSource: 'cache' | 'describe';
}

const sameAttributes = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
};

async function describe(iot: IoTClient, thingName: string, signal: AbortSignal) {
  const out = await iot.send(new DescribeThingCommand({ thingName }), { abortSignal: signal });
  return { attributes: out.attributes ?? {}, version: out.version ?? null };
}

/** Writes what AWS now holds into the cached row; the sync's writer invalidates its fingerprint. */
async function updateCache(db: Db, orgId: string, deviceId: string, attributes: Record<string, string>, version: number | null) {
  await db((tx) => writeAttributeEdit(tx, { orgId, deviceIds: [deviceId] }, { kind: 'replace', attributes }, version));
}

function checkLimits(input: UpdateAttributeInput, device: { thingType: string | null; attributes: Record<string, string> }) {
  const has = Object.hasOwn(device.attributes, input.name);
  if (input.op === 'remove' && !has) {
    throw new AppError('VALIDATION', `This device has no attribute “${input.name}”.`, { name: ['No such attribute.'] });
  }
  const max = device.thingType ? MAX_ATTRIBUTES_TYPED : MAX_ATTRIBUTES_UNTYPED;
  if (input.op === 'set' && !has && Object.keys(device.attributes).length >= max) {
    const why = device.thingType ? `A thing holds at most ${max} attributes.` : `A thing without a thing type holds at most ${max} attributes.`;
    throw new AppError('VALIDATION', why, { name: [why] });
  }
}

/** The device is read as the operator and committed before AWS is called; cache and audit are written after. */
export async function updateDeviceAttribute(ctx: OrgScope, input: UpdateAttributeInput, deps: AwsDeps): Promise<AttributeUpdateResult> {
  requireOperator(ctx);
  const device = await ctx.withDb((tx) => getDeviceTargetOrThrow(tx.db, tx.org.id, input.deviceId));
  checkLimits(input, device);
  const integration = await integrationForWrite(deps, ctx.org.id, device.integrationId);
  const db = deps.db ?? asService;
  const aws = openClients(deps, integration);
  let expectedVersion = input.expectedVersion;
  let versionSource: AttributeUpdateResult['versionSource'] = 'cache';
  const value = input.op === 'set' ? input.value : '';
  try {
    if (expectedVersion === null) {
      const current = await describe(aws.clients.iot, device.thingName, aws.signal);
      if (!sameAttributes(current.attributes, device.attributes) || current.version === null) {
        await updateCache(db, ctx.org.id, device.id, current.attributes, current.version);
        throw new AppError('CONFLICT', 'The attributes changed in AWS since you loaded them. The page now shows the current attributes; review them and save again.');
      }
      expectedVersion = current.version;
      versionSource = 'describe';
    }
    try {
      // merge: only this attribute changes; an empty value removes it (AttributePayload).
      await aws.clients.iot.send(
        new UpdateThingCommand({ thingName: device.thingName, attributePayload: { attributes: { [input.name]: value }, merge: true }, expectedVersion }),
        { abortSignal: aws.signal },
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'VersionConflictException') throw error;
      const current = await describe(aws.clients.iot, device.thingName, aws.signal).catch(() => null);
      if (current) await updateCache(db, ctx.org.id, device.id, current.attributes, current.version);
      throw new AppError(
        'CONFLICT',
        `The attributes changed in AWS since you loaded them (registry version ${expectedVersion}${current?.version ? ` is now ${current.version}` : ' is outdated'}). The page now shows the current attributes; review them and save again.`,
      );
    }
  } catch (error) {
    const known = awsFailure(error);
    if (known) throw known;
    throw error;
  } finally {
    aws.close();
  }

  const attributes = { ...device.attributes };
  if (input.op === 'set') attributes[input.name] = value;
  else delete attributes[input.name];
  // Every successful UpdateThing increments the registry version by one.
  const registryVersion = expectedVersion + 1;
  await updateCache(db, ctx.org.id, device.id, attributes, registryVersion);
  await ctx.withDb((tx) =>
    recordAudit(tx, input.op === 'set' ? 'device.attribute_set' : 'device.attribute_removed', { type: 'device', id: device.id }, {
      thingName: device.thingName,
      name: input.name,
      ...(input.op === 'set' ? { value } : {}),
      registryVersion,
      versionSource,
    }),
  );
  ctx.log.info({ deviceId: device.id, op: input.op }, 'device attribute updated');
  return { attributes, registryVersion, versionSource };
}
