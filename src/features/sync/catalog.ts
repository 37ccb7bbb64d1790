import {
  DescribeThingGroupCommand,
  paginateListThingGroups,
  paginateListThingsInThingGroup,
  paginateListThingTypes,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type { Tx } from '@/lib/db';

/**
 * Thing types and groups, in both modes, read to the end before anything is deleted. A group's
 * parent never changes in AWS, so DescribeThingGroup runs only for new groups.
 */
const LIST_PAGE = 250;

export interface CatalogTarget {
  iot: IoTClient;
  signal: AbortSignal;
  db: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  orgId: string;
  integrationId: string;
}

export interface CatalogResult {
  groups: Set<string>;
}

export async function syncCatalog(t: CatalogTarget): Promise<CatalogResult> {
  const opts = { abortSignal: t.signal };
  const types: { name: string; description: string | null; searchable: string[]; deprecated: boolean }[] = [];
  for await (const page of paginateListThingTypes({ client: t.iot, pageSize: LIST_PAGE }, {}, opts)) {
    for (const tt of page.thingTypes ?? []) {
      if (!tt.thingTypeName) continue;
      types.push({
        name: tt.thingTypeName,
        description: tt.thingTypeProperties?.thingTypeDescription ?? null,
        searchable: tt.thingTypeProperties?.searchableAttributes ?? [],
        deprecated: tt.thingTypeMetadata?.deprecated ?? false,
      });
    }
  }
  const groupNames: string[] = [];
  for await (const page of paginateListThingGroups({ client: t.iot, pageSize: LIST_PAGE }, {}, opts)) {
    for (const g of page.thingGroups ?? []) if (g.groupName) groupNames.push(g.groupName);
  }

  const known = new Set(
    (await t.db((tx) => tx<{ name: string }[]>`
      select name from public.thing_groups where org_id = ${t.orgId} and integration_id = ${t.integrationId}`)).map((r) => r.name),
  );
  const added: { name: string; parent_name: string | null; description: string | null }[] = [];
  for (const name of groupNames.filter((n) => !known.has(n))) {
    const out = await t.iot.send(new DescribeThingGroupCommand({ thingGroupName: name }), opts).catch((error: unknown) => {
      // Deleted since it was listed: leave it out, as the next listing will.
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return null;
      throw error;
    });
    if (!out) {
      groupNames.splice(groupNames.indexOf(name), 1);
      continue;
    }
    added.push({
      name,
      parent_name: out.thingGroupMetadata?.parentGroupName ?? null,
      description: out.thingGroupProperties?.thingGroupDescription ?? null,
    });
  }

  await t.db(async (tx) => {
    if (types.length > 0) {
      await tx`
        insert into public.thing_types (org_id, integration_id, name, description, searchable_attributes, deprecated)
        select ${t.orgId}, ${t.integrationId}, r.name, r.description, r.searchable, r.deprecated
        from jsonb_to_recordset(${tx.json(types)}::jsonb) as r(name text, description text, searchable text[], deprecated boolean)
        on conflict (integration_id, name) do update set
          description = excluded.description, searchable_attributes = excluded.searchable_attributes,
          deprecated = excluded.deprecated, synced_at = now()
        where (thing_types.description, thing_types.searchable_attributes, thing_types.deprecated)
          is distinct from (excluded.description, excluded.searchable_attributes, excluded.deprecated)`;
    }
    await tx`
      delete from public.thing_types
      where org_id = ${t.orgId} and integration_id = ${t.integrationId} and name <> all(${types.map((x) => x.name)}::text[])`;
    if (added.length > 0) {
      await tx`
        insert into public.thing_groups (org_id, integration_id, name, parent_name, description)
        select ${t.orgId}, ${t.integrationId}, r.name, r.parent_name, r.description
        from jsonb_to_recordset(${tx.json(added)}::jsonb) as r(name text, parent_name text, description text)
        on conflict (integration_id, name) do nothing`;
    }
    await tx`
      delete from public.thing_groups
      where org_id = ${t.orgId} and integration_id = ${t.integrationId} and name <> all(${groupNames}::text[])`;
  });
  return { groups: new Set(groupNames) };
}

/** Registry mode: direct memberships of every thing (ListThings does not return them). */
export async function loadGroupMembership(iot: IoTClient, groups: Iterable<string>, signal: AbortSignal): Promise<Map<string, string[]>> {
  const byThing = new Map<string, string[]>();
  for (const group of groups) {
    const pages = paginateListThingsInThingGroup({ client: iot, pageSize: LIST_PAGE }, { thingGroupName: group, recursive: false }, { abortSignal: signal });
    for await (const page of pages) {
      for (const thing of page.things ?? []) {
        const list = byThing.get(thing);
        if (list) list.push(group);
        else byThing.set(thing, [group]);
      }
    }
  }
  for (const list of byThing.values()) list.sort();
  return byThing;
}
