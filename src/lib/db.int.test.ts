import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListThingsCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql, as, closeAdminSql, createTestUser } from '../../scripts/test/fixtures';
import { createAwsClients } from './aws/clients';
import type { SessionUser } from './context';
import { afterCommit, asService, assertOutsideTransaction, closeDatabase, TransactionIOError } from './db';

/**
 * The transaction guard and timeouts against real Postgres: no network call starts while asUser or
 * asService holds a connection (an AWS client built by createAwsClients refuses before sending a
 * byte), work spawned inside a transaction may call out once it has ended, and every transaction
 * runs under the statement and idle-in-transaction timeouts set for the app and its roles.
 */
let user: SessionUser;
let server: Server;
let requests = 0;
let endpoint: string;

beforeAll(async () => {
  process.env.FLEETLINE_OUTBOUND_ALLOW_LOOPBACK = 'true';
  user = await createTestUser('db-guard');
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"things":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await closeAdminSql();
  await closeDatabase();
});

const clients = () =>
  createAwsClients({ region: 'us-east-1', customEndpoint: endpoint, iotDataEndpoint: null }, { accessKeyId: 'AKIAFLEETLINETXGUARD', secretAccessKey: 'tx-guard-secret' }, { maxAttempts: 1 });

describe('assertOutsideTransaction', () => {
  it('passes outside any transaction and throws inside asUser and asService', async () => {
    expect(() => assertOutsideTransaction('a call')).not.toThrow();
    await expect(as(user, async () => assertOutsideTransaction('a call'))).rejects.toThrow(/a call inside an open database transaction \(asUser\)/);
    await expect(asService(async () => assertOutsideTransaction())).rejects.toBeInstanceOf(TransactionIOError);
  });

  it('still throws in the outer transaction after a nested one ended, and not once both ended', async () => {
    let later!: Promise<void>;
    const inOuter = await as(user, async () => {
      await asService(async (tx) => tx`select 1`);
      // Spawned inside, run after the commit: by then no transaction holds a connection.
      later = new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => assertOutsideTransaction());
      try {
        assertOutsideTransaction();
        return 'allowed';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(inOuter).toBe('TransactionIOError');
    await expect(later).resolves.toBeUndefined();
  });
});

describe('afterCommit', () => {
  const status = async (xid: string) => (await adminSql()<{ s: string }[]>`select txid_status(${xid}::bigint) as s`)[0]!.s;

  it('runs the work once the transaction has committed, seen from another connection', async () => {
    const seen: string[] = [];
    await asService(async (tx) => {
      const [row] = await tx<{ xid: string }[]>`select txid_current()::text as xid`;
      await afterCommit(async () => {
        seen.push(await status(row!.xid));
      });
      seen.push('body done');
    });
    expect(seen).toEqual(['body done', 'committed']);
  });

  it('never runs the work of a transaction that rolled back, and runs at once outside one', async () => {
    let ran = false;
    await expect(
      asService(async () => {
        await afterCommit(async () => {
          ran = true;
        });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(ran).toBe(false);
    await afterCommit(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});

describe('AWS clients', () => {
  it('refuse to send inside a transaction, before any byte reaches the endpoint', async () => {
    const aws = clients();
    try {
      const before = requests;
      await expect(asService(() => aws.iot.send(new ListThingsCommand({})))).rejects.toThrow(/AWS IoTClient ListThingsCommand inside an open database transaction \(asService\)/);
      await expect(as(user, () => aws.iot.send(new ListThingsCommand({})))).rejects.toBeInstanceOf(TransactionIOError);
      expect(requests).toBe(before);
      // The same client outside a transaction reaches the endpoint.
      await expect(aws.iot.send(new ListThingsCommand({}))).resolves.toMatchObject({ things: [] });
      expect(requests).toBe(before + 1);
    } finally {
      aws.destroy();
    }
  });
});

describe('timeouts', () => {
  it('every transaction runs under a statement and an idle-in-transaction timeout', async () => {
    const show = (tx: Parameters<Parameters<typeof asService>[0]>[0]) =>
      tx<{ statement: string; idle: string }[]>`select current_setting('statement_timeout') as statement, current_setting('idle_in_transaction_session_timeout') as idle`;
    expect((await as(user, show))[0]).toEqual({ statement: '8s', idle: '10s' });
    expect((await asService(show))[0]).toEqual({ statement: '1min', idle: '10s' });
  });

  it('the API roles carry the same settings, for PostgREST', async () => {
    const rows = await adminSql()<{ role: string; config: string[] }[]>`
      select r.rolname as role, s.setconfig as config
      from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
      where r.rolname in ('anon', 'authenticated', 'service_role') and s.setdatabase = 0
      order by r.rolname`;
    expect(Object.fromEntries(rows.map((r) => [r.role, [...r.config].sort()]))).toEqual({
      anon: ['idle_in_transaction_session_timeout=10s', 'statement_timeout=3s'],
      authenticated: ['idle_in_transaction_session_timeout=10s', 'statement_timeout=8s'],
      service_role: ['idle_in_transaction_session_timeout=10s', 'statement_timeout=60s'],
    });
  });

});
