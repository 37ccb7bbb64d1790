import { GetIndexingConfigurationCommand, SearchIndexCommand, type IoTClient, type ThingDocument } from '@aws-sdk/client-iot';
import type { ObservedThing, ShadowState, SyncMode } from '../model';
import type { z } from 'zod';
import { indexedShadowDocumentSchema, indexedShadowSchema } from '../schemas';
import type { ModeContext, ThingPages } from './context';

/**
 * fleet_index mode: one SearchIndex page of ≤ 100 things carries registry, shadow and connectivity,
 * so a page costs one call instead of one per thing. `ThingDocument.shadow` is a JSON *string*;
 * connectivity timestamps are epoch milliseconds.
 */
export const SEARCH_PAGE_MAX = 100;
const INDEX_NAME = 'AWS_Things';
const QUERY_ALL = 'thingName:*';

export interface IndexingInfo {
  mode: SyncMode;
  /** Connectivity indexing is STATUS. */
  connectivity: boolean;
  /** Named shadows the index carries (named-shadow indexing ON), or null when it carries none. */
  namedShadowNames: string[] | null;
}

/** Picks the mode for this run from the account's indexing configuration. */
export async function readIndexing(iot: IoTClient, signal: AbortSignal): Promise<IndexingInfo> {
  const out = await iot.send(new GetIndexingConfigurationCommand({}), { abortSignal: signal });
  const cfg = out.thingIndexingConfiguration;
  const withShadow = cfg?.thingIndexingMode === 'REGISTRY_AND_SHADOW';
  return {
    mode: withShadow ? 'fleet_index' : 'registry',
    connectivity: withShadow && cfg?.thingConnectivityIndexingMode === 'STATUS',
    namedShadowNames: withShadow && cfg?.namedShadowIndexingMode === 'ON' ? (cfg.filter?.namedShadowNames ?? []) : null,
  };
}

function toShadow(s: z.infer<typeof indexedShadowSchema>): ShadowState | null {
  if (s.version === undefined && !s.reported && !s.desired) return null;
  return { reported: s.reported ?? null, desired: s.desired ?? null, delta: s.delta ?? null, metadata: s.metadata ?? null, version: s.version ?? null };
}

function parseShadow(doc: ThingDocument, ctx: Pick<ModeContext, 'warn'>) {
  if (!doc.shadow) return null;
  try {
    return indexedShadowDocumentSchema.parse(JSON.parse(doc.shadow));
  } catch {
    ctx.warn(`The index returned an unreadable shadow for ${doc.thingName}; its cached shadow was kept.`);
    return undefined;
  }
}

export function fromThingDocument(doc: ThingDocument, ctx: Pick<ModeContext, 'knownGroups' | 'warn'>, info: IndexingInfo): ObservedThing {
  const parsed = parseShadow(doc, ctx);
  let namedShadows: Record<string, ShadowState> | null = null;
  if (info.namedShadowNames && parsed !== undefined) {
    namedShadows = {};
    for (const [name, s] of Object.entries(parsed?.name ?? {})) {
      const shadow = toShadow(s);
      if (shadow) namedShadows[name] = shadow;
    }
  }
  const c = doc.connectivity;
  return {
    thingName: doc.thingName!,
    thingType: doc.thingTypeName ?? null,
    attributes: doc.attributes ?? {},
    groups: (doc.thingGroupNames ?? []).filter((g) => ctx.knownGroups.has(g)).sort(),
    registryVersion: null,
    shadow: parsed === undefined ? undefined : parsed ? toShadow(parsed) : null,
    namedShadows,
    connectivity:
      info.connectivity && c && typeof c.connected === 'boolean'
        ? { connected: c.connected, timestampMs: c.timestamp ?? null, disconnectReason: c.disconnectReason ?? null }
        : null,
  };
}

export async function* fleetIndexPages(ctx: ModeContext, info: IndexingInfo): ThingPages {
  let nextToken: string | undefined;
  do {
    const out = await ctx.iot.send(
      new SearchIndexCommand({ indexName: INDEX_NAME, queryString: QUERY_ALL, maxResults: Math.min(ctx.pageSize, SEARCH_PAGE_MAX), nextToken }),
      { abortSignal: ctx.signal },
    );
    yield (out.things ?? []).filter((d) => d.thingName).map((d) => fromThingDocument(d, ctx, info));
    nextToken = out.nextToken;
  } while (nextToken);
}
