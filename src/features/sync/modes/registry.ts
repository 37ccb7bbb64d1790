import { paginateListThings, type ThingAttribute } from '@aws-sdk/client-iot';
import { GetThingShadowCommand, ListNamedShadowsForThingCommand } from '@aws-sdk/client-iot-data-plane';
import { describeAwsError } from '@/lib/aws/clients';
import { isAuthError, isPermissionError } from '../errors';
import type { ObservedThing, ShadowState } from '../model';
import { createLimiter } from '../pipeline';
import { abortError, isThrottling, isTransient } from '@/features/integrations/runtime/quota';
import { shadowDocumentSchema } from '../schemas';
import type { ModeContext, ThingPages } from './context';

/**
 * registry mode (no shadow indexing): ListThings pages of ≤ 250, then each thing's classic shadow
 * (and named shadows) with GetThingShadow, at most `shadowConcurrency` in flight. A shadow that
 * cannot be read is left as cached; failures that concern the whole account stop the run.
 */
export const LIST_PAGE_MAX = 250;
const NAMED_PAGE = 100;

/**
 * Shadow reads that fail one after another (each after the client's retries) before the run gives
 * up: one thing's failing shadow is that thing's problem, a data plane that fails for every thing
 * is the run's.
 */
export const MAX_CONSECUTIVE_SHADOW_FAILURES = 25;

function isFatal(error: unknown): boolean {
  return isAuthError(error) || (error as { name?: string })?.name === 'AbortError';
}

/** A failure that retries may fix later (5xx, dropped connection, throttling), as opposed to a refusal. */
const isRetryable = (error: unknown) => isTransient(error) || isThrottling(error);

export interface RegistryOptions {
  /** Direct group memberships by thing (loadGroupMembership), possibly still loading. */
  membership: ReadonlyMap<string, string[]> | Promise<ReadonlyMap<string, string[]>>;
  /** Also read named shadows (ListNamedShadowsForThing + GetThingShadow per name). */
  namedShadows: boolean;
}

/** Shared across a run, so one access-denied answer stops further attempts of the same kind. */
interface RegistryState {
  shadowsDenied: boolean;
  namedDenied: boolean;
  failures: number;
  /** Retryable shadow failures since the last successful read. */
  consecutive: number;
}

const decoder = new TextDecoder();

async function getShadow(ctx: ModeContext, thingName: string, shadowName?: string): Promise<ShadowState | null> {
  try {
    const out = await ctx.iotData.send(new GetThingShadowCommand({ thingName, shadowName }), { abortSignal: ctx.signal });
    const doc = shadowDocumentSchema.parse(JSON.parse(decoder.decode(out.payload)));
    return {
      reported: doc.state?.reported ?? null,
      desired: doc.state?.desired ?? null,
      delta: doc.state?.delta ?? null,
      metadata: doc.metadata ?? null,
      version: doc.version ?? null,
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return null;
    throw error;
  }
}

async function namedShadowNames(ctx: ModeContext, thingName: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ctx.iotData.send(new ListNamedShadowsForThingCommand({ thingName, pageSize: NAMED_PAGE, nextToken }), { abortSignal: ctx.signal });
    names.push(...(out.results ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return names;
}

async function readShadows(ctx: ModeContext, state: RegistryState, opts: RegistryOptions, thingName: string) {
  let shadow: ShadowState | null | undefined;
  let namedShadows: Record<string, ShadowState> | null = null;
  // A thing whose reads exhausted their retries keeps its cached shadow (`undefined`: the writer
  // counts it in shadow_errors); the listing stays complete, so removals stay safe.
  const giveUp = (error: unknown) =>
    isFatal(error) || ctx.signal.aborted || (isRetryable(error) && ++state.consecutive >= MAX_CONSECUTIVE_SHADOW_FAILURES);
  if (!state.shadowsDenied) {
    try {
      shadow = await getShadow(ctx, thingName);
      state.consecutive = 0;
    } catch (error) {
      if (giveUp(error)) throw error;
      const e = describeAwsError(error);
      if (isPermissionError(error) && !state.shadowsDenied) {
        state.shadowsDenied = true;
        ctx.warn(`Shadows were not read (${e.name}: ${e.message}); cached shadows were kept.`);
      } else if (!isPermissionError(error)) {
        if (state.failures++ === 0) ctx.warn(`GetThingShadow failed for ${thingName} (${e.name}: ${e.message}); its cached shadow was kept.`);
      }
    }
  }
  if (opts.namedShadows && !state.namedDenied && !state.shadowsDenied) {
    try {
      const names = await namedShadowNames(ctx, thingName);
      const found: Record<string, ShadowState> = {};
      for (const name of names) {
        const s = await getShadow(ctx, thingName, name);
        if (s) found[name] = s;
      }
      namedShadows = found;
    } catch (error) {
      if (giveUp(error)) throw error;
      const e = describeAwsError(error);
      if (isPermissionError(error) && !state.namedDenied) {
        state.namedDenied = true;
        ctx.warn(`Named shadows were not read (${e.name}: ${e.message}).`);
      } else if (!isPermissionError(error) && state.failures++ === 0) {
        ctx.warn(`Named shadows of ${thingName} could not be read (${e.name}: ${e.message}).`);
      }
    }
  }
  return { shadow, namedShadows };
}

type RegistryThing = Omit<ObservedThing, 'groups'>;

function registryThing(t: ThingAttribute): Omit<RegistryThing, 'shadow' | 'namedShadows'> {
  return {
    thingName: t.thingName!,
    thingType: t.thingTypeName ?? null,
    attributes: t.attributes ?? {},
    registryVersion: t.version ?? null,
    connectivity: null,
  };
}

/**
 * Listing, shadow reads and the membership listing overlap: ListThings pages are fetched ahead, every
 * page's shadow reads share one pool of `shadowConcurrency` lanes (no idle tail per page), and a page
 * yielded before the memberships are loaded carries `groups: null` (the writer settles them later).
 * At most two pages' worth of things are read ahead of the consumer.
 */
export async function* registryPages(ctx: ModeContext, opts: RegistryOptions): ThingPages {
  const state: RegistryState = { shadowsDenied: false, namedDenied: false, failures: 0, consecutive: 0 };
  const lane = createLimiter(ctx.shadowConcurrency);
  const pageSize = Math.min(ctx.pageSize, LIST_PAGE_MAX);
  const known: { membership: ReadonlyMap<string, string[]> | null } = { membership: null };
  // A failure is the engine's to report when it awaits the memberships after the listing.
  Promise.resolve(opts.membership).then(
    (m) => (known.membership = m),
    () => undefined,
  );
  const cap = Math.max(2 * pageSize, ctx.shadowConcurrency);

  const queue: { size: number; reads: Promise<RegistryThing[]> }[] = [];
  let buffered = 0;
  let listed = false;
  let stopped = false;
  let firstError: unknown;
  // The producer (waiting for room) and the consumer (waiting for a page) both sleep on `changed`.
  let waiters: (() => void)[] = [];
  const notify = () => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };
  const changed = () => new Promise<void>((resolve) => waiters.push(resolve));

  const inFlight = new Set<Promise<unknown>>();
  const readThing = (t: ThingAttribute) => {
    const read = lane(async (): Promise<RegistryThing> => {
      if (stopped) throw firstError ?? abortError(ctx.signal);
      try {
        return { ...registryThing(t), ...(await readShadows(ctx, state, opts, t.thingName!)) };
      } catch (error) {
        firstError ??= error;
        stopped = true;
        throw error;
      }
    });
    inFlight.add(read);
    void read.then(
      () => inFlight.delete(read),
      () => inFlight.delete(read),
    );
    return read;
  };

  const producer = (async () => {
    try {
      const pages = paginateListThings({ client: ctx.iot, pageSize }, {}, { abortSignal: ctx.signal });
      for await (const page of pages) {
        const things = (page.things ?? []).filter((t) => t.thingName);
        while (!stopped && buffered > 0 && buffered + things.length > cap) await changed();
        if (stopped) return;
        const reads = Promise.all(things.map(readThing));
        reads.catch(() => undefined); // observed by the consumer in page order
        buffered += things.length;
        queue.push({ size: things.length, reads });
        notify();
      }
    } catch (error) {
      firstError ??= error;
      stopped = true;
    } finally {
      listed = true;
      notify();
    }
  })();

  try {
    for (;;) {
      while (queue.length === 0 && !listed) await changed();
      const next = queue.shift();
      if (!next) break;
      let things: RegistryThing[];
      try {
        things = await next.reads;
      } catch (error) {
        throw firstError ?? error;
      }
      buffered -= next.size;
      notify();
      const groups = known.membership;
      yield things.map((t) => ({ ...t, groups: groups ? (groups.get(t.thingName) ?? []) : null }));
    }
    if (firstError !== undefined) throw firstError;
  } finally {
    // Nothing keeps running after the run has moved on: stop, then let started reads settle.
    stopped = true;
    notify();
    await producer;
    await Promise.allSettled([...inFlight]);
  }
}
