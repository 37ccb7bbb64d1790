import { UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type postgres from 'postgres';
import { recordAudit } from '@/lib/audit';
import { asServiceWithin } from '@/lib/service-role';
import type { OrgContext, OrgScope } from '@/lib/context';
import { AppError } from '@/lib/errors';
import { hasRole } from '@/lib/roles';
import { awsFailure, integrationForWrite, openClients, type AwsDeps } from './aws';
import { getDeviceTargetOrThrow } from './queries';
import { COMMAND_MIN_ROLE, type SendCommandData } from './schemas';

/**
 * Desired-state commands: UpdateThingShadow with the version the operator saw (a shadow that
 * changed since is a conflict, never silently overwritten), then a pending device_commands row,
 * inserted as the operator under RLS, that the sync and the device page's refresh move along.
 * The device is read in one short transaction and the row written in another: none waits on AWS.
 */

export const CONFLICT_MESSAGE = 'The shadow changed since you loaded it; review the current state and resend.';

export interface SentCommand {
  commandId: string;
  shadowVersion: number | null;
  createdAt: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes `desired` to one shadow; shared by the command action and bulk operations. */
export async function writeDesired(
  client: IoTDataPlaneClient,
  target: { thingName: string; shadowName: string | null; desired: Record<string, unknown>; version: number | null },
  signal?: AbortSignal,
): Promise<number | null> {
  const body: Record<string, unknown> = { state: { desired: target.desired } };
  if (target.version !== null) body.version = target.version;
  const out = await client.send(
    new UpdateThingShadowCommand({ thingName: target.thingName, shadowName: target.shadowName ?? undefined, payload: encoder.encode(JSON.stringify(body)) }),
    { abortSignal: signal },
  );
  try {
    const accepted = JSON.parse(decoder.decode(out.payload)) as { version?: unknown };
    return typeof accepted.version === 'number' ? accepted.version : null;
  } catch {
    return null;
  }
}

/** AWS's answer to a refused shadow write, in the composer's terms. */
export function commandFailure(error: unknown): AppError | null {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'ConflictException' || name === 'VersionConflictException') return new AppError('CONFLICT', CONFLICT_MESSAGE);
  if (name === 'RequestEntityTooLargeException') {
    return new AppError('VALIDATION', 'With these keys the shadow would exceed 8 KB of state; remove keys or send fewer.', {
      desired: ['The whole shadow (desired and reported) would exceed 8 KB.'],
    });
  }
  const known = awsFailure(error);
  if (known?.code === 'VALIDATION') return new AppError('VALIDATION', known.message, { desired: [known.message] });
  return known;
}

/** Checked here as well as by the action wrapper: AWS is written before the row RLS would refuse. */
export function requireOperator(ctx: Pick<OrgContext, 'role'>): void {
  if (!hasRole(ctx.role, COMMAND_MIN_ROLE)) {
    throw new AppError('FORBIDDEN', `This needs the ${COMMAND_MIN_ROLE} role or higher; you are ${ctx.role}.`);
  }
}

export async function sendCommand(scope: OrgScope, input: SendCommandData, deps: AwsDeps): Promise<SentCommand> {
  requireOperator(scope);
  const device = await scope.withDb((ctx) => getDeviceTargetOrThrow(ctx.db, ctx.org.id, input.deviceId));
  const integration = await integrationForWrite(deps, scope.org.id, device.integrationId);
  const aws = openClients(deps, integration);
  let shadowVersion: number | null;
  try {
    shadowVersion = await writeDesired(
      aws.clients.iotData,
      { thingName: device.thingName, shadowName: input.shadowName, desired: input.desired, version: input.expectedVersion },
      aws.signal,
    );
  } catch (error) {
    const known = commandFailure(error);
    if (known) {
      scope.log.info({ deviceId: device.id, awsError: (error as { name?: string }).name }, 'command refused by AWS');
      throw known;
    }
    throw error;
  } finally {
    aws.close();
  }
  const row = await scope.withDb(async (ctx) => {
    // Service-only table: the row records a write AWS accepted, which a member cannot forge.
    const [inserted] = await asServiceWithin(ctx.db, () => ctx.db<{ id: string; created_at: Date }[]>`
      insert into public.device_commands (org_id, device_id, shadow_name, desired, shadow_version, timeout_seconds)
      values (${ctx.org.id}, ${device.id}, ${input.shadowName}, ${ctx.db.json(input.desired as postgres.JSONValue)}, ${shadowVersion}, ${input.timeoutSeconds})
      returning id, created_at`);
    // Keys only: desired values may carry configuration that does not belong in an audit trail.
    await recordAudit(ctx, 'device.command_sent', { type: 'device', id: device.id }, {
      thingName: device.thingName,
      shadowName: input.shadowName,
      keys: Object.keys(input.desired),
      shadowVersion,
      commandId: inserted!.id,
    });
    return inserted;
  });
  scope.log.info({ deviceId: device.id, commandId: row!.id }, 'command sent');
  return { commandId: row!.id, shadowVersion, createdAt: row!.created_at.toISOString() };
}
