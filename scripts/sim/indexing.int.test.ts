import {
  GetBucketsAggregationCommand,
  GetIndexingConfigurationCommand,
  GetStatisticsCommand,
  SearchIndexCommand,
  UpdateIndexingConfigurationCommand,
  type IoTClient,
  type ThingDocument,
} from '@aws-sdk/client-iot';
import { GetThingShadowCommand, UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECOND_CREDENTIALS } from './config';
import type { RunningSimulator } from './server';
import { clients, decodeJson, encodeJson, failure, startTestSimulator } from './test-support';

const THINGS = 150;
let sim: RunningSimulator;
let iot: IoTClient;
let data: IoTDataPlaneClient;
let everything: ThingDocument[];

interface IndexedShadow {
  reported: { connected: boolean; firmware: string; battery: number; rssi: number; temperature: number };
  desired?: Record<string, unknown>;
  delta?: Record<string, unknown>;
  metadata: { reported: Record<string, { timestamp: number }> };
  version: number;
  hasDelta: boolean;
}

async function search(queryString: string, maxResults?: number): Promise<ThingDocument[]> {
  const out: ThingDocument[] = [];
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new SearchIndexCommand({ queryString, maxResults, nextToken }));
    expect(page.things!.length).toBeLessThanOrEqual(Math.min(maxResults ?? 100, 100));
    out.push(...(page.things ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

const shadowOf = (d: ThingDocument) => JSON.parse(d.shadow!) as IndexedShadow;
const names = (docs: ThingDocument[]) => docs.map((d) => d.thingName);

beforeAll(async () => {
  sim = await startTestSimulator({ things: THINGS, seed: 11 });
  ({ iot, data } = clients(sim));
  everything = await search('*');
});
afterAll(() => sim.close());

describe('indexing configuration', () => {
  it('defaults to REGISTRY_AND_SHADOW with connectivity STATUS in the demo account', async () => {
    const cfg = await iot.send(new GetIndexingConfigurationCommand({}));
    expect(cfg.thingIndexingConfiguration).toMatchObject({ thingIndexingMode: 'REGISTRY_AND_SHADOW', thingConnectivityIndexingMode: 'STATUS' });
    expect(cfg.thingIndexingConfiguration?.customFields?.map((f) => f.name)).toContain('shadow.reported.firmware');
  });

  it('is kept per account: the second account starts with indexing OFF', async () => {
    const second = clients(sim, { credentials: SECOND_CREDENTIALS }).iot;
    const cfg = await second.send(new GetIndexingConfigurationCommand({}));
    expect(cfg.thingIndexingConfiguration?.thingIndexingMode).toBe('OFF');
    const off = await failure(second.send(new SearchIndexCommand({ queryString: '*' })));
    expect(off.name).toBe('ResourceNotFoundException');
    expect(off.$metadata.httpStatusCode).toBe(404);

    const invalid = await failure(
      second.send(new UpdateIndexingConfigurationCommand({ thingIndexingConfiguration: { thingIndexingMode: 'OFF', thingConnectivityIndexingMode: 'STATUS' } })),
    );
    expect(invalid.name).toBe('InvalidRequestException');

    await second.send(new UpdateIndexingConfigurationCommand({ thingIndexingConfiguration: { thingIndexingMode: 'REGISTRY' } }));
    const registryOnly = await second.send(new SearchIndexCommand({ queryString: 'thingName:sensor-00000*' }));
    expect(registryOnly.things).toHaveLength(9);
    expect(registryOnly.things?.[0]?.shadow).toBeUndefined();
    expect(registryOnly.things?.[0]?.connectivity).toBeUndefined();
    // Shadow fields are not indexed in REGISTRY mode, so they match nothing.
    expect((await second.send(new SearchIndexCommand({ queryString: 'shadow.reported.battery>0' }))).things).toEqual([]);
    // The demo account is unaffected.
    expect((await iot.send(new GetIndexingConfigurationCommand({}))).thingIndexingConfiguration?.thingIndexingMode).toBe('REGISTRY_AND_SHADOW');
  });
});

describe('SearchIndex', () => {
  it('pages with real nextTokens at several page sizes and never exceeds 100 per page', async () => {
    expect(everything).toHaveLength(THINGS);
    for (const size of [1, 7, 100, 500]) {
      const docs = await search('thingName:sensor-*', size);
      expect(names(docs)).toEqual(names(everything));
    }
    const page = await iot.send(new SearchIndexCommand({ queryString: '*', maxResults: 500 }));
    expect(page.things).toHaveLength(100);
    expect(page.nextToken).toBeTypeOf('string');
  });

  it('returns ThingDocuments with the shadow as a JSON string and connectivity in milliseconds', async () => {
    const doc = everything[4]!;
    expect(doc).toMatchObject({ thingName: 'sensor-000005' });
    expect(doc.thingGroupNames).toEqual([`site-${doc.attributes!.site}`]);
    const shadow = shadowOf(doc);
    const direct = decodeJson<{ state: { reported: unknown }; version: number }>(
      (await data.send(new GetThingShadowCommand({ thingName: 'sensor-000005' }))).payload,
    );
    expect(shadow.reported).toEqual(direct.state.reported);
    expect(shadow.version).toBe(direct.version);
    expect(shadow.hasDelta).toBe(false);
    expect(doc.connectivity?.timestamp).toBeGreaterThan(1e12);
    expect(shadow.metadata.reported.battery!.timestamp).toBeLessThan(1e11);
    expect(typeof doc.connectivity?.connected).toBe('boolean');
  });

  it('evaluates comparisons, ranges, wildcards and boolean operators like a filter over the documents', async () => {
    const cases: [string, (d: ThingDocument) => boolean][] = [
      ['connectivity.connected:true', (d) => d.connectivity!.connected === true],
      ['connectivity.connected:false', (d) => d.connectivity!.connected === false],
      ['shadow.reported.battery<50', (d) => shadowOf(d).reported.battery < 50],
      ['shadow.reported.battery>=50', (d) => shadowOf(d).reported.battery >= 50],
      ['shadow.reported.battery:[20 TO 60]', (d) => shadowOf(d).reported.battery >= 20 && shadowOf(d).reported.battery <= 60],
      ['shadow.reported.battery:{20 TO 60]', (d) => shadowOf(d).reported.battery > 20 && shadowOf(d).reported.battery <= 60],
      ['shadow.reported.rssi<-70', (d) => shadowOf(d).reported.rssi < -70],
      ['shadow.reported.firmware:1.5.0', (d) => shadowOf(d).reported.firmware === '1.5.0'],
      ['attributes.site:berlin OR attributes.site:paris', (d) => ['berlin', 'paris'].includes(d.attributes!.site!)],
      ['thingTypeName:env-sensor AND shadow.reported.firmware:2.0.1', (d) => d.thingTypeName === 'env-sensor' && shadowOf(d).reported.firmware === '2.0.1'],
      ['thingTypeName:env-sensor shadow.reported.connected:true', (d) => d.thingTypeName === 'env-sensor' && shadowOf(d).reported.connected],
      ['NOT thingTypeName:tracker', (d) => d.thingTypeName !== 'tracker'],
      ['-thingTypeName:tracker', (d) => d.thingTypeName !== 'tracker'],
      ['(attributes.site:austin OR attributes.site:toronto) AND NOT connectivity.connected:true', (d) => ['austin', 'toronto'].includes(d.attributes!.site!) && !d.connectivity!.connected],
      ['thingName:sensor-00001?', (d) => /^sensor-00001\d$/.test(d.thingName!)],
      ['thingName:SENSOR-00002*', (d) => d.thingName!.startsWith('sensor-00002')],
      ['attributes.model:ES-*', (d) => d.attributes!.model!.startsWith('ES-')],
      ['thingGroupNames:site-austin', (d) => d.thingGroupNames!.includes('site-austin')],
      ['connectivity.disconnectReason:CONNECTION_LOST', (d) => d.connectivity!.disconnectReason === 'CONNECTION_LOST'],
      ['shadow.reported.temperature>20.5', (d) => shadowOf(d).reported.temperature > 20.5],
      ['sensor-000042', (d) => d.thingName === 'sensor-000042'],
    ];
    for (const [query, predicate] of cases) {
      const expected = names(everything.filter(predicate));
      // Every case selects a proper, non-empty subset, so a matcher that ignores the query would fail.
      expect(expected.length, query).toBeGreaterThan(0);
      expect(expected.length, query).toBeLessThan(THINGS);
      expect(names(await search(query, 50)), query).toEqual(expected);
    }
    // The fleet is varied enough for these filters to mean something.
    expect(everything.filter((d) => !d.connectivity!.connected).length).toBeGreaterThan(0);
    expect(everything.filter((d) => shadowOf(d).reported.battery < 50).length).toBeGreaterThan(0);
    const reasons = new Set(everything.map((d) => d.connectivity!.disconnectReason).filter(Boolean));
    expect(reasons.size).toBeGreaterThan(0);
  });

  it('filters on connectivity timestamps in milliseconds', async () => {
    const sorted = everything.map((d) => d.connectivity!.timestamp!).sort((a, b) => a - b);
    const pivot = sorted[Math.floor(sorted.length / 2)]!;
    const docs = await search(`connectivity.timestamp>${pivot}`);
    expect(names(docs)).toEqual(names(everything.filter((d) => d.connectivity!.timestamp! > pivot)));
  });

  it('indexes desired state and shadow.hasDelta', async () => {
    await data.send(new UpdateThingShadowCommand({ thingName: 'sensor-000003', payload: encodeJson({ state: { desired: { mode: 'eco' } } }) }));
    const docs = await search('shadow.hasDelta:true');
    expect(names(docs)).toEqual(['sensor-000003']);
    expect(shadowOf(docs[0]!).delta).toEqual({ mode: 'eco' });
    expect(names(await search('shadow.desired.mode:eco'))).toEqual(['sensor-000003']);
  });

  it('indexes named shadows listed in the indexing filter', async () => {
    await iot.send(
      new UpdateIndexingConfigurationCommand({
        thingIndexingConfiguration: {
          thingIndexingMode: 'REGISTRY_AND_SHADOW',
          thingConnectivityIndexingMode: 'STATUS',
          namedShadowIndexingMode: 'ON',
          filter: { namedShadowNames: ['config'] },
        },
      }),
    );
    await data.send(
      new UpdateThingShadowCommand({ thingName: 'sensor-000007', shadowName: 'config', payload: encodeJson({ state: { reported: { logLevel: 'debug' } } }) }),
    );
    const debug = await search('shadow.name.config.reported.logLevel:debug');
    expect(names(debug)).toEqual(['sensor-000007']);
    const named = (JSON.parse(debug[0]!.shadow!) as { name: { config: { reported: unknown } } }).name.config.reported;
    expect(named).toEqual({ reportIntervalSec: 300, logLevel: 'debug' });
    expect(await search('shadow.name.config.reported.reportIntervalSec:300')).toHaveLength(THINGS);
    await iot.send(
      new UpdateIndexingConfigurationCommand({
        thingIndexingConfiguration: { thingIndexingMode: 'REGISTRY_AND_SHADOW', thingConnectivityIndexingMode: 'STATUS', namedShadowIndexingMode: 'OFF' },
      }),
    );
    expect(await search('shadow.name.config.reported.logLevel:debug')).toEqual([]);
  });

  it('rejects malformed queries with InvalidQueryException 400', async () => {
    for (const queryString of [
      'thingName:*abc',
      '(thingName:a',
      'thingName:a AND',
      'OR thingName:a',
      'a:1 b:2 c:3 d:4 e:5 f:6 g:7 h:8',
      'shadow.reported.battery:[1 TO ',
      'shadow.reported.battery<',
    ]) {
      const err = await failure(iot.send(new SearchIndexCommand({ queryString })));
      expect(err.name, queryString).toBe('InvalidQueryException');
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
    const token = (await iot.send(new SearchIndexCommand({ queryString: '*', maxResults: 5 }))).nextToken;
    const other = await failure(iot.send(new SearchIndexCommand({ queryString: 'thingName:*', nextToken: token })));
    expect(other.name).toBe('InvalidRequestException');
  });
});

describe('aggregations', () => {
  it('computes statistics over a numeric custom field', async () => {
    const online = everything.filter((d) => d.connectivity!.connected);
    const values = online.map((d) => shadowOf(d).reported.battery);
    const { statistics } = await iot.send(
      new GetStatisticsCommand({ queryString: 'connectivity.connected:true', aggregationField: 'shadow.reported.battery' }),
    );
    const sum = values.reduce((a, b) => a + b, 0);
    expect(statistics?.count).toBe(values.length);
    expect(statistics?.sum).toBeCloseTo(sum, 6);
    expect(statistics?.average).toBeCloseTo(sum / values.length, 6);
    expect(statistics?.minimum).toBe(Math.min(...values));
    expect(statistics?.maximum).toBe(Math.max(...values));
    const mean = sum / values.length;
    expect(statistics?.variance).toBeCloseTo(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length, 6);

    const count = await iot.send(new GetStatisticsCommand({ queryString: 'thingTypeName:tracker', aggregationField: 'attributes.site' }));
    expect(count.statistics).toEqual({ count: everything.filter((d) => d.thingTypeName === 'tracker').length });
    const notIndexed = await failure(iot.send(new GetStatisticsCommand({ queryString: '*', aggregationField: 'attributes.serial' })));
    expect(notIndexed.name).toBe('InvalidAggregationException');
    expect(notIndexed.$metadata.httpStatusCode).toBe(400);
  });

  it('buckets the firmware distribution', async () => {
    const res = await iot.send(
      new GetBucketsAggregationCommand({
        queryString: '*',
        aggregationField: 'shadow.reported.firmware',
        bucketsAggregationType: { termsAggregation: { maxBuckets: 10 } },
      }),
    );
    const expected = new Map<string, number>();
    for (const d of everything) expected.set(shadowOf(d).reported.firmware, (expected.get(shadowOf(d).reported.firmware) ?? 0) + 1);
    expect(res.totalCount).toBe(THINGS);
    expect(new Map(res.buckets?.map((b) => [b.keyValue!, b.count!]))).toEqual(expected);
    expect([...expected.keys()].sort()).toEqual(['1.4.2', '1.5.0', '2.0.1']);
    const counts = res.buckets!.map((b) => b.count!);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(res.buckets?.[0]?.keyValue).toBe('1.5.0');

    const numeric = await failure(
      iot.send(
        new GetBucketsAggregationCommand({
          queryString: '*',
          aggregationField: 'shadow.reported.battery',
          bucketsAggregationType: { termsAggregation: { maxBuckets: 10 } },
        }),
      ),
    );
    expect(numeric.name).toBe('InvalidAggregationException');
  });
});
