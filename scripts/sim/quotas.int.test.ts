import { DescribeThingCommand, ListThingsCommand } from '@aws-sdk/client-iot';
import { GetThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { QueryCommand } from '@aws-sdk/client-timestream-query';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_EXTERNAL_ID, DEMO_ROLE_ARN } from './config';
import { defaultFaults, defaultQuotas } from './quotas';
import type { RunningSimulator } from './server';
import { clients, failure, startTestSimulator } from './test-support';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({ things: 20, quotas: { enabled: true } });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.setQuotas(defaultQuotas());
  sim.control.setFaults(defaultFaults());
  sim.control.resetCounters();
});

describe('throttling', () => {
  it('answers an exhausted IoT bucket with ThrottlingException 400, retried by the SDK', async () => {
    sim.control.setQuotas({ rates: { ListThings: 0 } });
    const { iot } = clients(sim, { maxAttempts: 2 });
    const err = await failure(iot.send(new ListThingsCommand({})));
    expect(err.name).toBe('ThrottlingException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$metadata.attempts).toBe(2);
    const counters = sim.control.getCounters();
    expect(counters.throttled['iot:ListThings']).toBe(2);
    expect(counters.calls['iot:ListThings']).toBe(2);
    // Other operations have their own buckets.
    await iot.send(new DescribeThingCommand({ thingName: 'sensor-000001' }));
  });

  it('uses 429 for the data plane, Timestream, and Throttling 400 for STS', async () => {
    sim.control.setQuotas({ rates: { GetThingShadow: 0, Query: 0, AssumeRole: 0 } });
    const c = clients(sim, { maxAttempts: 1 });
    const shadow = await failure(c.data.send(new GetThingShadowCommand({ thingName: 'sensor-000001' })));
    expect([shadow.name, shadow.$metadata.httpStatusCode]).toEqual(['ThrottlingException', 429]);
    const query = await failure(c.timestream.send(new QueryCommand({ QueryString: 'SELECT count(*) FROM "fleetline_demo"."telemetry"' })));
    expect([query.name, query.$metadata.httpStatusCode]).toEqual(['ThrottlingException', 429]);
    const sts = await failure(c.sts.send(new AssumeRoleCommand({ RoleArn: DEMO_ROLE_ARN, RoleSessionName: 'x1', ExternalId: DEMO_EXTERNAL_ID })));
    expect([sts.name, sts.$metadata.httpStatusCode]).toEqual(['Throttling', 400]);
  });

  it('lets SDK retries get through once the bucket refills', async () => {
    // 1 request/s with a burst of 1: the second call is throttled, then retried after the SDK's back-off.
    sim.control.setQuotas({ rates: { ListThings: 1 } });
    const { iot } = clients(sim, { maxAttempts: 5 });
    await iot.send(new ListThingsCommand({ maxResults: 1 }));
    let outcome: { attempts: number; error?: string };
    try {
      const res = await iot.send(new ListThingsCommand({ maxResults: 1 }));
      outcome = { attempts: res.$metadata.attempts ?? 1 };
    } catch (err) {
      outcome = { attempts: (err as { $metadata: { attempts: number } }).$metadata.attempts, error: (err as Error).name };
    }
    expect(outcome.attempts).toBeGreaterThan(1);
    if (outcome.error !== undefined) expect(outcome.error).toBe('ThrottlingException');
    expect(sim.control.getCounters().throttled['iot:ListThings']).toBeGreaterThanOrEqual(1);
  });

  it('limits shadow calls per thing in addition to the account rate', async () => {
    sim.control.setQuotas({ perThingShadowRate: 1 });
    const { data } = clients(sim, { maxAttempts: 1 });
    await data.send(new GetThingShadowCommand({ thingName: 'sensor-000002' }));
    const err = await failure(data.send(new GetThingShadowCommand({ thingName: 'sensor-000002' })));
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['ThrottlingException', 429]);
    await data.send(new GetThingShadowCommand({ thingName: 'sensor-000003' }));
  });

  it('scales all rates with the quota factor, and can be switched off', async () => {
    sim.control.setQuotas({ factor: 0.1 });
    const { iot } = clients(sim, { maxAttempts: 1 });
    await iot.send(new ListThingsCommand({ maxResults: 1 }));
    expect((await failure(iot.send(new ListThingsCommand({ maxResults: 1 })))).name).toBe('ThrottlingException');

    sim.control.setQuotas({ enabled: false, factor: 1 });
    for (let i = 0; i < 30; i++) await iot.send(new ListThingsCommand({ maxResults: 1 }));
    expect(sim.control.getCounters().throttled['iot:ListThings']).toBe(1);
  });
});

describe('faults', () => {
  it('injects 5xx errors on selected operations; the SDK retries them', async () => {
    sim.control.setFaults({ errorRate: 1, operations: ['ListThings'] });
    const { iot } = clients(sim, { maxAttempts: 2 });
    const err = await failure(iot.send(new ListThingsCommand({})));
    expect(['InternalFailureException', 'ServiceUnavailableException']).toContain(err.name);
    expect([500, 503]).toContain(err.$metadata.httpStatusCode);
    expect(err.$metadata.attempts).toBe(2);
    await iot.send(new DescribeThingCommand({ thingName: 'sensor-000001' }));
    expect(sim.control.getCounters().faults.errors).toBe(2);
  });

  it('limits faults to requests about the named things', async () => {
    sim.control.setFaults({ errorRate: 1, things: ['sensor-000002'] });
    const { iot, data } = clients(sim, { maxAttempts: 1 });
    const err = await failure(data.send(new GetThingShadowCommand({ thingName: 'sensor-000002' })));
    expect([500, 503]).toContain(err.$metadata.httpStatusCode);
    await data.send(new GetThingShadowCommand({ thingName: 'sensor-000003' }));
    await iot.send(new ListThingsCommand({}));
    expect(sim.control.getCounters().faults.errors).toBe(1);
  });

  it('drops connections when asked to', async () => {
    sim.control.setFaults({ resetRate: 1, operations: ['DescribeThing'] });
    const { iot } = clients(sim, { maxAttempts: 2 });
    const err = await failure(iot.send(new DescribeThingCommand({ thingName: 'sensor-000001' })));
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(sim.control.getCounters().faults.resets).toBe(2);
    sim.control.setFaults({ resetRate: 0 });
    await iot.send(new DescribeThingCommand({ thingName: 'sensor-000001' }));
  });

  it('adds latency', async () => {
    sim.control.setFaults({ latencyMs: [150, 150] });
    const { iot } = clients(sim);
    await iot.send(new DescribeThingCommand({ thingName: 'sensor-000001' }));
    const started = performance.now();
    await iot.send(new DescribeThingCommand({ thingName: 'sensor-000001' }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });
});
