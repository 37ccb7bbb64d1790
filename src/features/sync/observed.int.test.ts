import { CancelJobCommand, CreateJobCommand, IoTClient, paginateListJobExecutionsForJob } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { DEMO_ACCOUNT_ID, DEMO_CREDENTIALS, DEMO_REGION } from '../../../scripts/sim/config';
import type { RunningSimulator } from '../../../scripts/sim/server';
import { encodeJson, startTestSimulator } from '../../../scripts/sim/test-support';
import { adminSql, closeAdminSql, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';
import { createSimIntegration, devicesOf, fleetDifferences, readFleet, simSyncDeps, type SimIntegration } from '../../../scripts/test/sync-fixtures';
import { runSync, type RunSummary, type SyncOutcome } from './engine';

/** What the sync derives from the fleet over time: shadow history, OTA jobs and command outcomes. */
let sim: RunningSimulator;
let org: TestOrg;
let integration: SimIntegration;
let iot: IoTClient;
let data: IoTDataPlaneClient;

function ran(outcome: SyncOutcome): RunSummary {
  if (outcome.outcome !== 'ran') throw new Error(`expected a run, got ${JSON.stringify(outcome)}`);
  return outcome.run;
}

const sync = async () => ran(await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' }));

beforeAll(async () => {
  // A tenth of the devices are gone for good, so a command can be sent to one that never answers.
  sim = await startTestSimulator({ things: 80, seed: 21, indexing: 'REGISTRY_AND_SHADOW', behaviour: { deadFraction: 0.1 } });
  org = await createTestOrg('sync-observed');
  integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
  const config = { endpoint: sim.url, region: DEMO_REGION, credentials: { ...DEMO_CREDENTIALS } };
  iot = new IoTClient(config);
  data = new IoTDataPlaneClient(config);
  expect((await sync()).status).toBe('succeeded');
});

afterAll(async () => {
  iot?.destroy();
  data?.destroy();
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

describe('shadow history', () => {
  it('records one row per observed shadow version, and only changed devices are rewritten', async () => {
    const [before] = await adminSql()<{ n: number }[]>`
      select count(*)::int as n from public.device_shadow_history h join public.devices d on d.id = h.device_id where d.integration_id = ${integration.id}`;
    expect(before!.n).toBe(80);
    const versions = new Map([...(await devicesOf(integration.id))].map(([n, d]) => [n, Number(d.shadow_version)]));

    sim.control.advanceTime(7 * 60_000);
    const run = await sync();
    const devices = await devicesOf(integration.id);
    const changed = [...devices.values()].filter((d) => Number(d.shadow_version) !== versions.get(d.thing_name));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(80);
    expect(run.counters.shadowHistoryRows).toBe(changed.length);
    // Status may change without a new shadow version (a device going silent), never the other way round.
    expect(run.counters.devicesUpserted).toBeGreaterThanOrEqual(changed.length);
    expect(run.counters.devicesUpserted + run.counters.devicesUnchanged).toBe(80);
    expect(fleetDifferences(await readFleet(sim, DEMO_CREDENTIALS), devices)).toEqual([]);

    const d = changed[0]!;
    const history = await adminSql()<{ shadow_version: string; reported: Record<string, unknown>; reported_at: Date }[]>`
      select h.shadow_version, h.reported, h.reported_at from public.device_shadow_history h
      join public.devices d on d.id = h.device_id
      where d.integration_id = ${integration.id} and d.thing_name = ${d.thing_name} order by h.shadow_version`;
    expect(history.map((h) => Number(h.shadow_version))).toEqual([versions.get(d.thing_name), Number(d.shadow_version)]);
    expect(history[1]!.reported).toEqual(d.shadow!.reported);
    expect(history[1]!.reported_at.getTime()).toBeLessThanOrEqual(sim.control.now());
  });
});

describe('OTA jobs', () => {
  it('syncs jobs with per-status counts and the executions of active jobs, and follows them to the end', async () => {
    const things = ['sensor-000001', 'sensor-000002', 'sensor-000003', 'sensor-000004'];
    await iot.send(
      new CreateJobCommand({
        jobId: 'fw-2-1-0',
        targets: things.map((t) => `arn:aws:iot:${DEMO_REGION}:${DEMO_ACCOUNT_ID}:thing/${t}`),
        document: JSON.stringify({ firmware: '2.1.0' }),
        description: 'Firmware 2.1.0',
        jobExecutionsRolloutConfig: { maximumPerMinute: 10 },
      }),
    );
    const run = await sync();
    expect(run.counters.otaJobs).toBe(1);
    const [job] = await adminSql()`
      select id, status, description, targets, rollout_config, queued_count + in_progress_count + succeeded_count + failed_count
             + rejected_count + canceled_count + removed_count + timed_out_count as total
      from public.ota_jobs where integration_id = ${integration.id} and job_id = 'fw-2-1-0'`;
    expect(job).toMatchObject({ status: 'IN_PROGRESS', description: 'Firmware 2.1.0', total: 4, rollout_config: { maximumPerMinute: 10 } });
    expect(job!.targets).toHaveLength(4);
    const executions = await adminSql()`select thing_name, status from public.ota_job_executions where ota_job_id = ${job!.id} order by thing_name`;
    expect(executions.map((e) => e.thing_name)).toEqual(things);

    sim.control.advanceTime(30 * 60_000);
    await sync();
    const [done] = await adminSql()`
      select status, succeeded_count + failed_count + queued_count as accounted, in_progress_count
      from public.ota_jobs where id = ${job!.id}`;
    const after = await adminSql()<{ status: string }[]>`select status from public.ota_job_executions where ota_job_id = ${job!.id}`;
    // Online devices finish within minutes; a device that never comes back keeps its execution queued.
    expect(after.filter((e) => e.status === 'SUCCEEDED' || e.status === 'FAILED').length).toBeGreaterThan(0);
    expect(after.some((e) => e.status === 'IN_PROGRESS')).toBe(false);
    expect(done).toMatchObject({ accounted: 4, in_progress_count: 0 });
  });

  it('follows a job canceled without force until the executions it let run have finished', async () => {
    const things = Array.from({ length: 8 }, (_, i) => `sensor-0000${20 + i}`);
    await iot.send(
      new CreateJobCommand({
        jobId: 'fw-canceled',
        targets: things.map((t) => `arn:aws:iot:${DEMO_REGION}:${DEMO_ACCOUNT_ID}:thing/${t}`),
        document: JSON.stringify({ firmware: '2.2.0' }),
        jobExecutionsRolloutConfig: { maximumPerMinute: 2 },
      }),
    );
    sim.control.advanceTime(75_000);
    await sync();
    const cachedExecutions = async () =>
      new Map((await adminSql()<{ thing_name: string; status: string }[]>`
        select e.thing_name, e.status from public.ota_job_executions e join public.ota_jobs j on j.id = e.ota_job_id
        where j.integration_id = ${integration.id} and j.job_id = 'fw-canceled'`).map((e) => [e.thing_name, e.status]));
    const running = [...(await cachedExecutions()).entries()].filter(([, status]) => status === 'IN_PROGRESS').map(([thing]) => thing);
    expect(running.length).toBeGreaterThan(0);

    await iot.send(new CancelJobCommand({ jobId: 'fw-canceled' }));
    await sync();
    sim.control.advanceTime(30 * 60_000);
    await sync();
    const awsExecutions = new Map<string, string>();
    for await (const page of paginateListJobExecutionsForJob({ client: iot }, { jobId: 'fw-canceled' })) {
      for (const e of page.executionSummaries ?? []) awsExecutions.set(e.thingArn!.split(':thing/')[1]!, e.jobExecutionSummary!.status!);
    }
    // The executions that were running went on to finish in AWS, and the cache followed them there.
    expect(running.every((thing) => awsExecutions.get(thing) !== 'IN_PROGRESS')).toBe(true);
    expect(await cachedExecutions()).toEqual(awsExecutions);
    const [job] = await adminSql()`select status, in_progress_count from public.ota_jobs where integration_id = ${integration.id} and job_id = 'fw-canceled'`;
    expect(job).toMatchObject({ status: 'CANCELED', in_progress_count: 0 });
  });

  it('a second sync of unchanged finished jobs calls DescribeJob for none of them', async () => {
    const [job] = await adminSql()`select status from public.ota_jobs where integration_id = ${integration.id} and job_id = 'fw-2-1-0'`;
    if (job!.status === 'IN_PROGRESS') sim.control.advanceTime(24 * 3_600_000);
    await sync();
    const run = await sync();
    const [final] = await adminSql()`select status from public.ota_jobs where integration_id = ${integration.id} and job_id = 'fw-2-1-0'`;
    expect(final!.status).not.toBe('IN_PROGRESS');
    expect(run.apiStats.DescribeJob).toBeUndefined();
    expect(run.apiStats.ListJobs?.calls).toBe(1);
  });
});

describe('commands', () => {
  async function command(thingName: string, desired: Record<string, unknown>, options: { createdAgo?: string; timeout?: number } = {}) {
    const [row] = await adminSql()<{ id: string }[]>`
      insert into public.device_commands (org_id, device_id, desired, timeout_seconds, created_at)
      select d.org_id, d.id, ${adminSql().json(desired as never)}, ${options.timeout ?? 600}, now() - ${options.createdAgo ?? '0 seconds'}::interval
      from public.devices d where d.integration_id = ${integration.id} and d.thing_name = ${thingName}
      returning id`;
    return row!.id;
  }
  const writeDesired = (thingName: string, desired: Record<string, unknown>) =>
    data.send(new UpdateThingShadowCommand({ thingName, payload: encodeJson({ state: { desired } }) }));
  const statusOf = async (id: string) =>
    (await adminSql()<{ status: string; error: string | null; resolved_at: Date | null }[]>`
      select status, error, resolved_at from public.device_commands where id = ${id}`)[0]!;

  it('moves commands to delivered, converged, failed and timed out from what the sync sees', async () => {
    const devices = [...(await devicesOf(integration.id)).values()];
    const online = devices.filter((d) => d.status === 'online');
    const dead = devices.find((d) => d.status === 'offline' && d.connectivity_changed_at && sim.control.now() - d.connectivity_changed_at.getTime() > 86_400_000);
    expect(online.length).toBeGreaterThan(2);
    expect(dead).toBeDefined();

    await writeDesired(online[0]!.thing_name, { ledColor: 'blue' });
    const converging = await command(online[0]!.thing_name, { ledColor: 'blue' });
    await writeDesired(online[1]!.thing_name, { mode: 'eco' });
    const replaced = await command(online[1]!.thing_name, { mode: 'eco' });
    await writeDesired(online[1]!.thing_name, { mode: 'boost' });
    await writeDesired(dead!.thing_name, { ledColor: 'red' });
    const unreachable = await command(dead!.thing_name, { ledColor: 'red' }, { timeout: 60 });

    const first = await sync();
    expect(await statusOf(converging)).toMatchObject({ status: 'delivered', resolved_at: null });
    expect(await statusOf(replaced)).toMatchObject({ status: 'failed', error: 'The desired state was replaced before the device reported it.' });
    expect(await statusOf(unreachable)).toMatchObject({ status: 'pending' });
    expect(first.counters.commandsResolved).toBe(2);

    // The simulated device applies desired state 5 s after the write; the dead one never does.
    sim.control.advanceTime(10_000);
    await adminSql()`update public.device_commands set created_at = now() - interval '2 minutes' where id = ${unreachable}`;
    const second = await sync();
    expect(await statusOf(converging)).toMatchObject({ status: 'converged', error: null });
    expect((await statusOf(converging)).resolved_at).toBeInstanceOf(Date);
    expect(await statusOf(unreachable)).toMatchObject({ status: 'timed_out', error: 'The device did not report the desired state within 60 s.' });
    expect(second.counters.commandsResolved).toBe(2);
  });
});
