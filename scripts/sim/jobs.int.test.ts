import {
  CancelJobCommand,
  CreateJobCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  GetJobDocumentCommand,
  ListJobExecutionsForJobCommand,
  ListJobExecutionsForThingCommand,
  ListJobsCommand,
  ListThingsInThingGroupCommand,
  paginateListJobExecutionsForJob,
  paginateListJobs,
  type CreateJobCommandInput,
  type IoTClient,
  type JobExecutionSummaryForJob,
  type JobProcessDetails,
} from '@aws-sdk/client-iot';
import { GetThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID } from './config';
import type { RunningSimulator } from './server';
import { clients, decodeJson, failure, startTestSimulator } from './test-support';

const ARN = `arn:aws:iot:us-east-1:${DEMO_ACCOUNT_ID}`;
const MINUTE = 60_000;
let sim: RunningSimulator;
let iot: IoTClient;
let data: IoTDataPlaneClient;
let jobCounter = 0;
const created: string[] = [];

beforeAll(async () => {
  // No dead or flaky devices: every execution eventually runs, which makes completion testable.
  sim = await startTestSimulator({ things: 40, seed: 9, behaviour: { deadFraction: 0, flakyFraction: 0 } });
  ({ iot, data } = clients(sim));
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.setBehaviour({ jobs: { failureRate: 0, pickupMs: [1_000, 5_000], runMs: [20_000, 60_000] } });
});

function thing(n: number): string {
  return `${ARN}:thing/sensor-${String(n).padStart(6, '0')}`;
}

async function create(input: Partial<CreateJobCommandInput>): Promise<string> {
  const jobId = input.jobId ?? `job-${++jobCounter}`;
  await iot.send(new CreateJobCommand({ jobId, targets: [thing(1)], document: '{"operation":"noop"}', ...input }));
  created.push(jobId);
  return jobId;
}

async function details(jobId: string): Promise<JobProcessDetails & { status: string }> {
  const { job } = await iot.send(new DescribeJobCommand({ jobId }));
  return { ...job!.jobProcessDetails!, status: job!.status! };
}

async function executions(jobId: string, pageSize = 250, status?: string): Promise<JobExecutionSummaryForJob[]> {
  const out: JobExecutionSummaryForJob[] = [];
  for await (const page of paginateListJobExecutionsForJob({ client: iot, pageSize }, { jobId, status: status as never })) {
    out.push(...(page.executionSummaries ?? []));
  }
  return out;
}

/** Advances simulated time minute by minute until the job is no longer IN_PROGRESS. */
async function runToEnd(jobId: string, maxMinutes = 24 * 60): Promise<JobProcessDetails & { status: string }> {
  let d = await details(jobId);
  for (let i = 0; i < maxMinutes && d.status === 'IN_PROGRESS'; i += 10) {
    sim.control.advanceTime(10 * MINUTE);
    d = await details(jobId);
  }
  return d;
}

describe('CreateJob and DescribeJob', () => {
  it('expands thing and group targets to one execution per thing', async () => {
    const members = (await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'site-berlin', maxResults: 250 }))).things!;
    const outsider = Array.from({ length: 40 }, (_, i) => `sensor-${String(i + 1).padStart(6, '0')}`).find((n) => !members.includes(n))!;
    const jobId = await create({
      targets: [`${ARN}:thinggroup/site-berlin`, `${ARN}:thing/${outsider}`, `${ARN}:thing/${members[0]}`],
      description: 'berlin rollout',
    });
    const { job } = await iot.send(new DescribeJobCommand({ jobId }));
    expect(job).toMatchObject({ jobId, status: 'IN_PROGRESS', targetSelection: 'SNAPSHOT', description: 'berlin rollout', forceCanceled: false });
    expect(job!.jobArn).toBe(`${ARN}:job/${jobId}`);
    expect(job!.jobProcessDetails).toMatchObject({ numberOfQueuedThings: members.length + 1, numberOfInProgressThings: 0, numberOfSucceededThings: 0 });
    expect(job!.jobProcessDetails!.processingTargets).toHaveLength(3);
    const execs = await executions(jobId);
    expect(execs.map((e) => e.thingArn!.split('/')[1]).sort()).toEqual([...members, outsider].sort());
    expect(execs.every((e) => e.jobExecutionSummary?.status === 'QUEUED' && e.jobExecutionSummary.executionNumber === 1)).toBe(true);
    expect((await iot.send(new GetJobDocumentCommand({ jobId }))).document).toBe('{"operation":"noop"}');
  });

  it('validates the request', async () => {
    const dup = await create({});
    const exists = await failure(create({ jobId: dup }));
    expect(exists.name).toBe('ResourceAlreadyExistsException');
    expect(exists.$metadata.httpStatusCode).toBe(409);
    const badId = await failure(create({ jobId: 'bad id!' }));
    expect(badId.name).toBe('InvalidRequestException');
    const noThing = await failure(create({ targets: [`${ARN}:thing/sensor-999999`] }));
    expect(noThing.name).toBe('ResourceNotFoundException');
    const otherAccount = await failure(create({ targets: ['arn:aws:iot:us-east-1:999999999999:thing/sensor-000001'] }));
    expect(otherAccount.name).toBe('InvalidRequestException');
    const badDoc = await failure(create({ document: '{not json' }));
    expect(badDoc.name).toBe('InvalidRequestException');
    const noTargets = await failure(create({ targets: [] }));
    expect(noTargets.name).toBe('InvalidRequestException');
    const rate = await failure(create({ jobExecutionsRolloutConfig: { maximumPerMinute: 5000 } }));
    expect(rate.name).toBe('InvalidRequestException');
    const continuousThing = await failure(create({ targetSelection: 'CONTINUOUS' }));
    expect(continuousThing.name).toBe('InvalidRequestException');
    const missing = await failure(iot.send(new DescribeJobCommand({ jobId: 'no-such-job' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.$metadata.httpStatusCode).toBe(404);
  });
});

describe('rollout', () => {
  it('moves executions QUEUED → IN_PROGRESS → SUCCEEDED at the constant rollout rate', async () => {
    const jobId = await create({ targets: [`${ARN}:thinggroup/all-sites`], jobExecutionsRolloutConfig: { maximumPerMinute: 4 } });
    sim.control.advanceTime(2 * MINUTE + 30_000);
    const early = await details(jobId);
    // 4 per minute: notifications at 0, 15 s, 30 s, … → at most 11 devices told within 2.5 minutes.
    const started = 40 - early.numberOfQueuedThings!;
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThanOrEqual(11);
    expect(early.numberOfInProgressThings! + early.numberOfSucceededThings!).toBe(started);
    const end = await runToEnd(jobId);
    expect(end).toMatchObject({ status: 'COMPLETED', numberOfSucceededThings: 40, numberOfQueuedThings: 0, numberOfInProgressThings: 0 });
    expect(end.processingTargets).toEqual([]);
    const execs = await executions(jobId, 7);
    expect(execs).toHaveLength(40);
    for (const e of execs) {
      const s = e.jobExecutionSummary!;
      expect(s.status).toBe('SUCCEEDED');
      expect(s.startedAt!.getTime()).toBeGreaterThanOrEqual(s.queuedAt!.getTime());
      expect(s.lastUpdatedAt!.getTime()).toBeGreaterThan(s.startedAt!.getTime());
    }
    const { job } = await iot.send(new DescribeJobCommand({ jobId }));
    expect(job!.completedAt).toBeInstanceOf(Date);
  });

  it('speeds up with an exponential rollout', async () => {
    const targets = [`${ARN}:thinggroup/all-sites`];
    const constant = await create({ targets, jobExecutionsRolloutConfig: { maximumPerMinute: 2 } });
    const exponential = await create({
      targets,
      jobExecutionsRolloutConfig: {
        maximumPerMinute: 40,
        exponentialRate: { baseRatePerMinute: 2, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 4 } },
      },
    });
    sim.control.advanceTime(5 * MINUTE);
    const c = await details(constant);
    const e = await details(exponential);
    // Constant: ≤ 11 notified in 5 minutes. Exponential: 2, 4, 8, 16, 32/min after every 4 → far more.
    expect(40 - c.numberOfQueuedThings!).toBeLessThanOrEqual(11);
    expect(40 - e.numberOfQueuedThings!).toBeGreaterThan(20);
  });

  it('honours the in-progress timeout and retries', async () => {
    sim.control.setBehaviour({ jobs: { runMs: [3 * MINUTE, 3 * MINUTE] } });
    const timedOut = await create({ targets: [thing(2), thing(3)], timeoutConfig: { inProgressTimeoutInMinutes: 1 } });
    const end = await runToEnd(timedOut);
    expect(end).toMatchObject({ status: 'COMPLETED', numberOfTimedOutThings: 2, numberOfSucceededThings: 0 });

    sim.control.setBehaviour({ jobs: { failureRate: 1, runMs: [20_000, 20_000] } });
    const retried = await create({
      targets: [thing(4)],
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 2 }] },
    });
    expect(await runToEnd(retried)).toMatchObject({ status: 'COMPLETED', numberOfFailedThings: 1 });
    const [exec] = await executions(retried);
    expect(exec!.jobExecutionSummary).toMatchObject({ status: 'FAILED', retryAttempt: 2 });
  });

  it('aborts when the failure threshold is reached', async () => {
    sim.control.setBehaviour({ jobs: { failureRate: 1 } });
    const jobId = await create({
      targets: [`${ARN}:thinggroup/all-sites`],
      jobExecutionsRolloutConfig: { maximumPerMinute: 6 },
      abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 50, minNumberOfExecutedThings: 3 }] },
    });
    const end = await runToEnd(jobId);
    expect(end.status).toBe('CANCELED');
    expect(end.numberOfFailedThings).toBeGreaterThanOrEqual(3);
    expect(end.numberOfSucceededThings).toBe(0);
    expect(end.numberOfCanceledThings).toBeGreaterThan(20);
    const { job } = await iot.send(new DescribeJobCommand({ jobId }));
    expect(job!.comment).toMatch(/aborted/i);
  });

  it('reports the new firmware in the shadow when a firmware job succeeds', async () => {
    const jobId = await create({ targets: [thing(5)], document: JSON.stringify({ operation: 'ota', firmware: '9.9.9' }) });
    expect((await runToEnd(jobId)).numberOfSucceededThings).toBe(1);
    const shadow = decodeJson<{ state: { reported: { firmware: string } } }>(
      (await data.send(new GetThingShadowCommand({ thingName: 'sensor-000005' }))).payload,
    );
    expect(shadow.state.reported.firmware).toBe('9.9.9');
    const exec = await iot.send(new DescribeJobExecutionCommand({ jobId, thingName: 'sensor-000005' }));
    expect(exec.execution).toMatchObject({ jobId, status: 'SUCCEEDED', thingArn: thing(5) });
  });

  it('adds executions for new group members of a CONTINUOUS job', async () => {
    const jobId = await create({ targets: [`${ARN}:thinggroup/all-sites`], targetSelection: 'CONTINUOUS' });
    sim.control.advanceTime(MINUTE);
    const before = (await executions(jobId)).length;
    expect(before).toBe(40);
    sim.control.addThings(sim.control.demoAccountId, 5);
    sim.control.advanceTime(20 * MINUTE);
    const d = await details(jobId);
    expect(d.status).toBe('IN_PROGRESS');
    expect((await executions(jobId)).length).toBe(45);
    expect(d.numberOfSucceededThings).toBe(45);
  });
});

describe('CancelJob', () => {
  it('without force stops only QUEUED executions; IN_PROGRESS ones finish', async () => {
    sim.control.setBehaviour({ jobs: { pickupMs: [1_000, 1_000], runMs: [10 * MINUTE, 10 * MINUTE] } });
    const jobId = await create({ targets: [`${ARN}:thinggroup/all-sites`], jobExecutionsRolloutConfig: { maximumPerMinute: 10 } });
    sim.control.advanceTime(MINUTE);
    const before = await details(jobId);
    expect(before.numberOfInProgressThings).toBeGreaterThan(0);
    expect(before.numberOfQueuedThings).toBeGreaterThan(0);

    await iot.send(new CancelJobCommand({ jobId, reasonCode: 'OPERATOR_STOP', comment: 'stop the rollout' }));
    const after = await details(jobId);
    expect(after).toMatchObject({
      status: 'CANCELED',
      numberOfCanceledThings: before.numberOfQueuedThings,
      numberOfInProgressThings: before.numberOfInProgressThings,
      numberOfQueuedThings: 0,
    });
    sim.control.advanceTime(15 * MINUTE);
    const finished = await details(jobId);
    expect(finished).toMatchObject({ status: 'CANCELED', numberOfInProgressThings: 0, numberOfSucceededThings: before.numberOfInProgressThings });
    const { job } = await iot.send(new DescribeJobCommand({ jobId }));
    expect(job).toMatchObject({ forceCanceled: false, reasonCode: 'OPERATOR_STOP', comment: 'stop the rollout' });
  });

  it('with force also cancels IN_PROGRESS executions', async () => {
    sim.control.setBehaviour({ jobs: { pickupMs: [1_000, 1_000], runMs: [10 * MINUTE, 10 * MINUTE] } });
    const jobId = await create({ targets: [`${ARN}:thinggroup/all-sites`], jobExecutionsRolloutConfig: { maximumPerMinute: 10 } });
    sim.control.advanceTime(MINUTE);
    await iot.send(new CancelJobCommand({ jobId }));
    const canceled = await details(jobId);
    expect(canceled.numberOfInProgressThings).toBeGreaterThan(0);
    await iot.send(new CancelJobCommand({ jobId, force: true }));
    const forced = await details(jobId);
    const total = (await executions(jobId)).length;
    expect(forced).toMatchObject({ numberOfInProgressThings: 0, numberOfCanceledThings: total, numberOfSucceededThings: 0 });
    expect((await iot.send(new DescribeJobCommand({ jobId }))).job?.forceCanceled).toBe(true);
    const again = await failure(iot.send(new CancelJobCommand({ jobId, force: true })));
    expect(again.name).toBe('InvalidRequestException');
  });

  it('refuses to cancel a completed job', async () => {
    const jobId = await create({ targets: [thing(6)] });
    await runToEnd(jobId);
    const err = await failure(iot.send(new CancelJobCommand({ jobId })));
    expect(err.name).toBe('InvalidRequestException');
    expect(err.$metadata.httpStatusCode).toBe(400);
  });
});

describe('listing', () => {
  it('pages ListJobs at several sizes, newest first, with status filters', async () => {
    const all: string[] = [];
    for await (const page of paginateListJobs({ client: iot, pageSize: 250 }, {})) all.push(...(page.jobs ?? []).map((j) => j.jobId!));
    expect(all).toEqual([...created].reverse());
    for (const pageSize of [1, 3]) {
      const ids: string[] = [];
      for await (const page of paginateListJobs({ client: iot, pageSize }, {})) ids.push(...(page.jobs ?? []).map((j) => j.jobId!));
      expect(ids).toEqual(all);
    }
    const canceled = await iot.send(new ListJobsCommand({ status: 'CANCELED', maxResults: 250 }));
    expect(canceled.jobs!.length).toBeGreaterThanOrEqual(3);
    expect(canceled.jobs!.every((j) => j.status === 'CANCELED')).toBe(true);
    const continuous = await iot.send(new ListJobsCommand({ targetSelection: 'CONTINUOUS' }));
    expect(continuous.jobs?.map((j) => j.targetSelection)).toEqual(['CONTINUOUS']);
    const bad = await failure(iot.send(new ListJobsCommand({ status: 'DONE' as never })));
    expect(bad.name).toBe('InvalidRequestException');
  });

  it('lists the executions of one thing across jobs', async () => {
    const res = await iot.send(new ListJobExecutionsForThingCommand({ thingName: 'sensor-000001', maxResults: 250 }));
    const mine: string[] = [];
    for (const jobId of created) {
      const { executionSummaries } = await iot.send(new ListJobExecutionsForJobCommand({ jobId, maxResults: 250 }));
      if (executionSummaries?.some((e) => e.thingArn === thing(1))) mine.push(jobId);
    }
    expect(mine.length).toBeGreaterThan(3);
    expect(res.executionSummaries?.map((e) => e.jobId)).toEqual([...mine].reverse());
    const succeeded = await iot.send(new ListJobExecutionsForThingCommand({ thingName: 'sensor-000001', status: 'SUCCEEDED' }));
    expect(succeeded.executionSummaries?.every((e) => e.jobExecutionSummary?.status === 'SUCCEEDED')).toBe(true);
    const unknown = await failure(iot.send(new ListJobExecutionsForThingCommand({ thingName: 'sensor-999999' })));
    expect(unknown.name).toBe('ResourceNotFoundException');
  });

  it('pages ListJobExecutionsForJob at several sizes and filters by status', async () => {
    sim.control.setBehaviour({ jobs: { failureRate: 0.5 } });
    const jobId = await create({ targets: [`${ARN}:thinggroup/all-sites`] });
    const end = await runToEnd(jobId);
    const all = await executions(jobId, 250);
    for (const size of [1, 7]) expect(await executions(jobId, size)).toEqual(all);
    const failed = await executions(jobId, 3, 'FAILED');
    const succeeded = await executions(jobId, 3, 'SUCCEEDED');
    expect(failed.length).toBe(end.numberOfFailedThings);
    expect(succeeded.length).toBe(end.numberOfSucceededThings);
    expect(failed.length).toBeGreaterThan(0);
    expect(succeeded.length).toBeGreaterThan(0);
    expect(failed.length + succeeded.length).toBe(all.length);
    const unknown = await failure(iot.send(new ListJobExecutionsForJobCommand({ jobId: 'nope' })));
    expect(unknown.name).toBe('ResourceNotFoundException');
  });
});
