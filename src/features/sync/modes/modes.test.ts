import { IoTClient, ListThingsCommand, SearchIndexCommand } from '@aws-sdk/client-iot';
import { GetThingShadowCommand, IoTDataPlaneClient, ListNamedShadowsForThingCommand, type GetThingShadowCommandOutput } from '@aws-sdk/client-iot-data-plane';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { ObservedThing } from '../model';
import type { ModeContext } from './context';
import { fleetIndexPages, fromThingDocument, type IndexingInfo } from './fleet-index';
import { MAX_CONSECUTIVE_SHADOW_FAILURES, registryPages } from './registry';

const iotMock = mockClient(IoTClient);
const dataMock = mockClient(IoTDataPlaneClient);
afterEach(() => {
  iotMock.reset();
  dataMock.reset();
});

function context(warnings: string[] = []): ModeContext {
  return {
    iot: new IoTClient({ region: 'us-east-1' }),
    iotData: new IoTDataPlaneClient({ region: 'us-east-1' }),
    signal: new AbortController().signal,
    pageSize: 100,
    shadowConcurrency: 4,
    knownGroups: new Set(['site-berlin', 'canary']),
    warn: (m) => warnings.push(m),
  };
}

async function collect(pages: AsyncIterable<ObservedThing[]>): Promise<ObservedThing[][]> {
  const out: ObservedThing[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const awsError = (name: string, status: number) => Object.assign(new Error(`${name}!`), { name, $metadata: { httpStatusCode: status } });
// The SDK wraps payloads in a blob adapter; our code only decodes the bytes.
const payload = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc)) as unknown as GetThingShadowCommandOutput['payload'];

describe('fleet_index', () => {
  const info: IndexingInfo = { mode: 'fleet_index', connectivity: true, namedShadowNames: ['config'] };

  it('parses the shadow JSON string, named shadows and millisecond connectivity, and drops unknown groups', () => {
    const shadow = {
      reported: { battery: 80 },
      desired: { ledColor: 'blue' },
      delta: { ledColor: 'blue' },
      metadata: { reported: { battery: { timestamp: 1795357315 } } },
      version: 9,
      hasDelta: true,
      name: { config: { reported: { logLevel: 'info' }, metadata: {}, version: 1 } },
    };
    const thing = fromThingDocument(
      {
        thingName: 'sensor-000001',
        thingTypeName: 'env-sensor',
        thingGroupNames: ['site-berlin', 'billing-eu'],
        attributes: { site: 'berlin' },
        shadow: JSON.stringify(shadow),
        connectivity: { connected: false, timestamp: 1795357315123, disconnectReason: 'CONNECTION_LOST' },
      },
      context(),
      info,
    );
    expect(thing).toEqual({
      thingName: 'sensor-000001',
      thingType: 'env-sensor',
      attributes: { site: 'berlin' },
      groups: ['site-berlin'],
      registryVersion: null,
      shadow: { reported: { battery: 80 }, desired: { ledColor: 'blue' }, delta: { ledColor: 'blue' }, metadata: shadow.metadata, version: 9 },
      namedShadows: { config: { reported: { logLevel: 'info' }, desired: null, delta: null, metadata: {}, version: 1 } },
      connectivity: { connected: false, timestampMs: 1795357315123, disconnectReason: 'CONNECTION_LOST' },
    });
  });

  it('knows no shadow from an unreadable one, and nothing of named shadows the index does not carry', () => {
    const warnings: string[] = [];
    const none = fromThingDocument({ thingName: 'a', shadow: '{}' }, context(warnings), { ...info, namedShadowNames: null });
    expect(none).toMatchObject({ shadow: null, namedShadows: null, connectivity: null });
    const broken = fromThingDocument({ thingName: 'b', shadow: '{not json' }, context(warnings), info);
    expect(broken.shadow).toBeUndefined();
    expect(warnings).toEqual(['The index returned an unreadable shadow for b; its cached shadow was kept.']);
  });

  it('follows every nextToken with pages of at most 100', async () => {
    iotMock
      .on(SearchIndexCommand)
      .resolvesOnce({ things: [{ thingName: 'a' }, { thingName: 'b' }], nextToken: 't1' })
      .resolvesOnce({ things: [{ thingName: 'c' }], nextToken: 't2' })
      .resolvesOnce({ things: [] });
    const pages = await collect(fleetIndexPages({ ...context(), pageSize: 250 }, info));
    expect(pages.map((p) => p.map((t) => t.thingName))).toEqual([['a', 'b'], ['c'], []]);
    const calls = iotMock.commandCalls(SearchIndexCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.nextToken, c.maxResults, c.queryString])).toEqual([
      [undefined, 100, 'thingName:*'],
      ['t1', 100, 'thingName:*'],
      ['t2', 100, 'thingName:*'],
    ]);
  });
});

describe('registry', () => {
  const membership = new Map([['a', ['site-berlin']]]);

  it('reads each listed thing\'s shadows; a thing without a shadow has none', async () => {
    iotMock
      .on(ListThingsCommand)
      .resolvesOnce({ things: [{ thingName: 'a', thingTypeName: 'tracker', attributes: { x: '1' }, version: 4 }], nextToken: 'n' })
      .resolvesOnce({ things: [{ thingName: 'b', version: 1 }] });
    dataMock.on(GetThingShadowCommand, { thingName: 'a', shadowName: undefined }).resolves({ payload: payload({ state: { reported: { battery: 5 } }, metadata: {}, version: 3 }) });
    dataMock.on(GetThingShadowCommand, { thingName: 'a', shadowName: 'config' }).resolves({ payload: payload({ state: { reported: { logLevel: 'info' } }, version: 1 }) });
    dataMock.on(GetThingShadowCommand, { thingName: 'b' }).rejects(awsError('ResourceNotFoundException', 404));
    dataMock.on(ListNamedShadowsForThingCommand, { thingName: 'a' }).resolves({ results: ['config'] });
    dataMock.on(ListNamedShadowsForThingCommand, { thingName: 'b' }).resolves({ results: [] });

    const pages = await collect(registryPages(context(), { membership, namedShadows: true }));
    expect(pages).toEqual([
      [
        {
          thingName: 'a',
          thingType: 'tracker',
          attributes: { x: '1' },
          groups: ['site-berlin'],
          registryVersion: 4,
          connectivity: null,
          shadow: { reported: { battery: 5 }, desired: null, delta: null, metadata: {}, version: 3 },
          namedShadows: { config: { reported: { logLevel: 'info' }, desired: null, delta: null, metadata: null, version: 1 } },
        },
      ],
      [{ thingName: 'b', thingType: null, attributes: {}, groups: [], registryVersion: 1, connectivity: null, shadow: null, namedShadows: {} }],
    ]);
    // The SDK paginator reuses one input object, so only the last state of it can be checked.
    const listCalls = iotMock.commandCalls(ListThingsCommand);
    expect(listCalls).toHaveLength(2);
    expect(listCalls[1]!.args[0].input).toEqual({ maxResults: 100, nextToken: 'n' });
  });

  it('stops reading shadows after an access-denied answer and keeps the cached ones', async () => {
    iotMock.on(ListThingsCommand).resolves({ things: [{ thingName: 'a' }, { thingName: 'b' }, { thingName: 'c' }] });
    dataMock.on(GetThingShadowCommand).rejects(awsError('ForbiddenException', 403));
    const warnings: string[] = [];
    const [page] = await collect(registryPages({ ...context(warnings), shadowConcurrency: 1 }, { membership, namedShadows: true }));
    expect(page!.map((t) => t.shadow)).toEqual([undefined, undefined, undefined]);
    expect(dataMock.commandCalls(GetThingShadowCommand)).toHaveLength(1);
    expect(warnings).toEqual(['Shadows were not read (ForbiddenException: ForbiddenException!); cached shadows were kept.']);
  });

  it('fails the page on errors about the caller rather than one thing', async () => {
    iotMock.on(ListThingsCommand).resolves({ things: [{ thingName: 'a' }] });
    dataMock.on(GetThingShadowCommand).rejects(awsError('UnrecognizedClientException', 403));
    await expect(collect(registryPages(context(), { membership, namedShadows: false }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('yields pages before the memberships are loaded, with their groups unknown, and known ones after', async () => {
    iotMock
      .on(ListThingsCommand)
      .resolvesOnce({ things: [{ thingName: 't0' }, { thingName: 't1' }], nextToken: 'p2' })
      .resolvesOnce({ things: [{ thingName: 't2' }] });
    dataMock.on(GetThingShadowCommand).resolves({ payload: payload({ state: { reported: { battery: 1 } }, version: 1 }) });
    let loaded!: (m: Map<string, string[]>) => void;
    const pending = new Promise<Map<string, string[]>>((resolve) => (loaded = resolve));
    const pages = registryPages(context(), { membership: pending, namedShadows: false });
    const first = await pages.next();
    expect((first.value as ObservedThing[]).map((t) => [t.thingName, t.groups, t.shadow?.version])).toEqual([
      ['t0', null, 1],
      ['t1', null, 1],
    ]);
    loaded(new Map([['t2', ['canary']]]));
    await pending;
    const rest: ObservedThing[][] = [];
    for await (const page of pages) rest.push(page);
    expect(rest.map((p) => p.map((t) => [t.thingName, t.groups]))).toEqual([[['t2', ['canary']]]]);
  });

  it('leaves a membership failure to the caller: the things are still read, with their groups unknown', async () => {
    iotMock.on(ListThingsCommand).resolves({ things: [{ thingName: 'a' }] });
    dataMock.on(GetThingShadowCommand).resolves({ payload: payload({ state: {}, version: 1 }) });
    const failed = Promise.reject(awsError('AccessDeniedException', 403));
    failed.catch(() => undefined);
    const pages = await collect(registryPages(context(), { membership: failed, namedShadows: false }));
    expect(pages.map((p) => p.map((t) => [t.thingName, t.groups]))).toEqual([[['a', null]]]);
  });

  it('surfaces a listing failure after the pages before it', async () => {
    iotMock
      .on(ListThingsCommand)
      .resolvesOnce({ things: [{ thingName: 'a' }], nextToken: 'n' })
      .rejectsOnce(awsError('InternalFailureException', 500));
    dataMock.on(GetThingShadowCommand).resolves({ payload: payload({ state: {}, version: 1 }) });
    const seen: string[] = [];
    const consume = async () => {
      for await (const page of registryPages(context(), { membership, namedShadows: false })) seen.push(...page.map((t) => t.thingName));
    };
    await expect(consume()).rejects.toMatchObject({ name: 'InternalFailureException' });
    expect(seen).toEqual(['a']);
  });

  it('keeps going when one thing\'s shadow reads exhaust their retries: that thing keeps its cached shadow', async () => {
    iotMock.on(ListThingsCommand).resolves({ things: [{ thingName: 'a' }, { thingName: 'b' }, { thingName: 'c' }] });
    dataMock.on(GetThingShadowCommand).callsFake(async (input: { thingName: string }) => {
      if (input.thingName === 'b') throw awsError('ServiceUnavailableException', 503);
      return { payload: payload({ state: { reported: { battery: 5 } }, version: 3 }) };
    });
    const warnings: string[] = [];
    const [page] = await collect(registryPages(context(warnings), { membership, namedShadows: false }));
    expect(page!.map((t) => [t.thingName, t.shadow?.version])).toEqual([
      ['a', 3],
      ['b', undefined],
      ['c', 3],
    ]);
    expect(warnings).toEqual([expect.stringMatching(/^GetThingShadow failed for b \(ServiceUnavailableException/)]);
  });

  it(`fails the run when ${MAX_CONSECUTIVE_SHADOW_FAILURES} shadow reads in a row fail: the data plane, not one thing, is down`, async () => {
    const things = Array.from({ length: MAX_CONSECUTIVE_SHADOW_FAILURES + 5 }, (_, i) => ({ thingName: `t${i}` }));
    iotMock.on(ListThingsCommand).resolves({ things });
    dataMock.on(GetThingShadowCommand).rejects(awsError('InternalFailureException', 500));
    await expect(collect(registryPages(context(), { membership, namedShadows: false }))).rejects.toMatchObject({ name: 'InternalFailureException' });
  });

  it('waits for the reads still in flight when one thing fails the page', async () => {
    iotMock.on(ListThingsCommand).resolves({ things: [{ thingName: 'a' }, { thingName: 'b' }, { thingName: 'c' }] });
    let inFlight = 0;
    dataMock.on(GetThingShadowCommand).callsFake(async (input: { thingName: string }) => {
      if (input.thingName === 'a') throw awsError('UnrecognizedClientException', 403);
      inFlight++;
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { payload: payload({ state: {}, version: 1 }) };
    });
    await expect(collect(registryPages(context(), { membership, namedShadows: false }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    expect(inFlight).toBe(0);
  });
});
