import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { LOG_SERIALIZERS, REDACT_PATHS } from '@/lib/logger';
import { sendCommand } from '@/features/commands/service';
import { sendCommandSchema } from '@/features/commands/schemas';
import { runSync } from '@/features/sync/engine';
import { signatureMismatch, SIGNING_SECRETS } from '../../../../scripts/test/aws-errors';
import { DEMO_CREDENTIALS } from '../../../../scripts/sim/config';
import type { RunningSimulator } from '../../../../scripts/sim/server';
import { startTestSimulator } from '../../../../scripts/sim/test-support';
import { adminSql, closeAdminSql, createTestOrg, orgScopeFor, testKeyring, type TestOrg } from '../../../../scripts/test/fixtures';
import { createSimIntegration, simSyncDeps } from '../../../../scripts/test/sync-fixtures';
import { integrationClients, type ClientsFactory } from './clients';

/**
 * AWS's SignatureDoesNotMatch message carries the canonical request and the string-to-sign (with
 * the session token among the signed headers). Whatever path it takes, a stored run, the
 * integration row, an action's result and the log hold only its name and first sentence.
 */
let sim: RunningSimulator;
let org: TestOrg;

beforeAll(async () => {
  sim = await startTestSimulator({ things: 6, seed: 21 });
  org = await createTestOrg('aws-errors');
});

afterAll(async () => {
  await sim?.close();
  await closeAdminSql();
  await closeDatabase();
});

/** Clients whose requests of the given APIs fail as AWS answers a wrong signature. */
function failing(apis: Set<string> | 'all'): ClientsFactory {
  const base = integrationClients(testKeyring(), {});
  return (integration, tuning) => {
    const clients = base(integration, tuning);
    for (const client of [clients.iot, clients.iotData] as { middlewareStack: { add: (...args: never[]) => void } }[]) {
      const fail = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const api = String(context.commandName ?? '').replace(/Command$/, '');
        if (apis === 'all' || apis.has(api)) throw signatureMismatch();
        return next(args);
      };
      client.middlewareStack.add(fail as never, { step: 'finalizeRequest', name: 'testSignatureMismatch' } as never);
    }
    return clients;
  };
}

function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: LOG_SERIALIZERS }, stream), text: () => lines.join('') };
}

const expectClean = (text: string) => {
  for (const secret of SIGNING_SECRETS) expect(text).not.toContain(secret);
};

describe('AWS errors with signing material', () => {
  it('reach sync_runs.error, integrations.last_error and the log as name and first sentence only', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
    const { log, text } = capturedLog();
    const outcome = await runSync(simSyncDeps(sim, { clients: failing('all'), log }), { integrationId: integration.id, trigger: 'manual' });
    expect(outcome).toMatchObject({ outcome: 'ran', run: { status: 'failed', errorCode: 'SignatureDoesNotMatch' } });
    const [run] = await adminSql()<{ error: string }[]>`select error from public.sync_runs where integration_id = ${integration.id}`;
    const [row] = await adminSql()<{ last_error: string }[]>`select last_error from public.integrations where id = ${integration.id}`;
    expect(run!.error).toMatch(/SignatureDoesNotMatch: The request signature we calculated does not match/);
    for (const stored of [run!.error, row!.last_error, text()]) expectClean(stored);
    expect(text()).toContain('SignatureDoesNotMatch');
  });

  it('reach an action result as name and first sentence only', async () => {
    const integration = await createSimIntegration(org, sim, { credentials: DEMO_CREDENTIALS });
    await runSync(simSyncDeps(sim), { integrationId: integration.id, trigger: 'manual' });
    const [device] = await adminSql()<{ id: string }[]>`select id from public.devices where integration_id = ${integration.id} order by thing_name limit 1`;
    const deps = { clients: failing(new Set(['UpdateThingShadow'])), now: () => sim.control.now() };
    const input = sendCommandSchema.parse({ deviceId: device!.id, desired: '{"ledColor": "red"}', expectedVersion: null });
    const error = await sendCommand(orgScopeFor(org, 'operator'), input, deps).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toContain('SignatureDoesNotMatch');
    expectClean((error as AppError).message);
  });
});
