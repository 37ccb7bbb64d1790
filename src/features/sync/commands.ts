import type { Tx } from '@/lib/db';
import { canonicalJson, isObject, type JsonObject, type ObservedThing, type ShadowState } from './model';

/**
 * Tracked desired-state writes, moved along by what a sync observes: converged (reported holds the
 * values), failed (desired replaced first), timed_out, or delivered while the device is connected.
 */
export type OpenStatus = 'pending' | 'delivered';
export type CommandResolution = 'delivered' | 'converged' | 'timed_out' | 'failed';

export interface OpenCommand {
  id: string;
  thingName: string;
  shadowName: string | null;
  desired: JsonObject;
  status: OpenStatus;
  createdAtMs: number;
  timeoutSeconds: number;
}

export interface CommandUpdate {
  id: string;
  status: CommandResolution;
  error: string | null;
}

/** True when `state` holds every value of `desired` (a null in desired means "key absent"). */
export function containsDesired(desired: JsonObject, state: JsonObject | null | undefined): boolean {
  const s = state ?? {};
  return Object.entries(desired).every(([key, want]) => {
    const have = s[key];
    if (want === null) return have === undefined || have === null;
    if (isObject(want)) return isObject(have) && containsDesired(want, have);
    return canonicalJson(want) === canonicalJson(have);
  });
}

/**
 * The next status of one open command, or null when it stays as it is. `shadow` is the shadow the
 * command wrote to, undefined when this sync did not observe it; `connected` is the device's.
 */
export function resolveCommand(
  cmd: OpenCommand,
  shadow: ShadowState | null | undefined,
  connected: boolean | null,
  wallNowMs: number,
): CommandUpdate | null {
  if (shadow) {
    if (containsDesired(cmd.desired, shadow.reported)) return { id: cmd.id, status: 'converged', error: null };
    if (!containsDesired(cmd.desired, shadow.desired)) {
      return { id: cmd.id, status: 'failed', error: 'The desired state was replaced before the device reported it.' };
    }
  }
  if (wallNowMs - cmd.createdAtMs > cmd.timeoutSeconds * 1000) {
    return { id: cmd.id, status: 'timed_out', error: `The device did not report the desired state within ${cmd.timeoutSeconds} s.` };
  }
  if (cmd.status === 'pending' && connected === true) return { id: cmd.id, status: 'delivered', error: null };
  return null;
}

export class CommandTracker {
  private readonly byThing = new Map<string, OpenCommand[]>();

  constructor(
    open: OpenCommand[],
    private readonly wallNow: () => number = Date.now,
  ) {
    for (const c of open) {
      const list = this.byThing.get(c.thingName);
      if (list) list.push(c);
      else this.byThing.set(c.thingName, [c]);
    }
  }

  static async load(
    db: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
    target: { orgId: string; integrationId: string },
    wallNow?: () => number,
  ): Promise<CommandTracker> {
    const rows = await db((tx) => tx<{ id: string; thing_name: string; shadow_name: string | null; desired: JsonObject; status: OpenStatus; created_at: Date; timeout_seconds: number }[]>`
      select c.id, d.thing_name, c.shadow_name, c.desired, c.status, c.created_at, c.timeout_seconds
      from public.device_commands c
      join public.devices d on d.id = c.device_id and d.org_id = c.org_id
      where c.org_id = ${target.orgId} and d.integration_id = ${target.integrationId} and c.status in ('pending', 'delivered')`);
    return new CommandTracker(
      rows.map((r) => ({
        id: r.id,
        thingName: r.thing_name,
        shadowName: r.shadow_name,
        desired: r.desired,
        status: r.status,
        createdAtMs: r.created_at.getTime(),
        timeoutSeconds: r.timeout_seconds,
      })),
      wallNow,
    );
  }

  get openCount(): number {
    let n = 0;
    for (const list of this.byThing.values()) n += list.length;
    return n;
  }

  /** Resolutions for the commands of one observed thing (each command is considered once per run). */
  observe(thing: ObservedThing, row: { connected: boolean | null } | null): CommandUpdate[] {
    const list = this.byThing.get(thing.thingName);
    if (!list) return [];
    this.byThing.delete(thing.thingName);
    const now = this.wallNow();
    const updates: CommandUpdate[] = [];
    for (const cmd of list) {
      const shadow = cmd.shadowName === null ? thing.shadow : thing.namedShadows ? (thing.namedShadows[cmd.shadowName] ?? null) : undefined;
      const u = resolveCommand(cmd, shadow, row?.connected ?? null, now);
      if (u) updates.push(u);
    }
    return updates;
  }

  /** After the listing: commands of things this run did not see can only time out. */
  unobserved(): CommandUpdate[] {
    const now = this.wallNow();
    const updates: CommandUpdate[] = [];
    for (const list of this.byThing.values()) {
      for (const cmd of list) {
        const u = resolveCommand(cmd, undefined, null, now);
        if (u) updates.push(u);
      }
    }
    this.byThing.clear();
    return updates;
  }
}

export async function applyCommandUpdates(tx: Tx, orgId: string, updates: CommandUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  await tx`
    update public.device_commands c set
      status = u.status::public.device_command_status,
      delivered_at = case when u.status in ('delivered', 'converged') then coalesce(c.delivered_at, now()) else c.delivered_at end,
      resolved_at = case when u.status = 'delivered' then null else now() end,
      error = u.error
    from jsonb_to_recordset(${tx.json(updates as never)}::jsonb) as u(id uuid, status text, error text)
    where c.id = u.id and c.org_id = ${orgId} and c.status in ('pending', 'delivered')`;
}
