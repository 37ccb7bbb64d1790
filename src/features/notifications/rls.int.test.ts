import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asService, closeDatabase, type Tx } from '@/lib/db';
import { adminSql, as, asAnon, closeAdminSql, createTestOrg, orgContext, testKeyring, type TestOrg } from '../../../scripts/test/fixtures';
import { alertEvent } from '../../../scripts/test/notification-fixtures';
import { createChannel, notifyAlertEvents } from './service';

/**
 * Row Level Security and column privileges of notification_channels and notification_deliveries,
 * per persona: every member of org A reads A's channels (without secret or URL) and delivery log;
 * org B's owner sees nothing of A; anon nothing at all; nobody writes either table directly.
 */
type Persona = 'owner' | 'admin' | 'operator' | 'viewer' | 'other org' | 'anon';
const PERSONAS: Persona[] = ['owner', 'admin', 'operator', 'viewer', 'other org', 'anon'];

let orgA: TestOrg;
let orgB: TestOrg;
let channelA: string;
let channelB: string;
const keyring = testKeyring();

function run<T>(persona: Persona, fn: (db: Tx) => Promise<T>): Promise<T> {
  if (persona === 'anon') return asAnon(fn);
  return as(persona === 'other org' ? orgB.members.owner : orgA.members[persona], fn);
}

async function attempt(persona: Persona, fn: (db: Tx) => Promise<unknown>): Promise<string> {
  try {
    const rows = (await run(persona, fn)) as { length: number };
    return rows.length > 0 ? 'rows' : 'none';
  } catch (error) {
    return (error as { code?: string }).code ?? 'error';
  }
}

beforeAll(async () => {
  orgA = await createTestOrg('notify-rls-a');
  orgB = await createTestOrg('notify-rls-b');
  const make = (org: TestOrg) =>
    as(org.members.admin, (db) => createChannel(orgContext(db, org, 'admin'), { kind: 'webhook', name: 'Hook', url: 'https://hooks.example.com/T000/B000/XXXX', format: 'slack' }, { keyring }));
  channelA = (await make(orgA)).channel.id;
  channelB = (await make(orgB)).channel.id;
  await notifyAlertEvents(asService, [alertEvent(orgA, [channelA]), alertEvent(orgB, [channelB])], { enqueue: async () => undefined });
});

afterAll(async () => {
  // Never queued; removed so no later sweep sends them anywhere.
  await adminSql()`delete from public.notification_channels where id = any(${[channelA, channelB]}::uuid[])`;
  await closeAdminSql();
  await closeDatabase();
});

const readChannels = (db: Tx) => db`select id, name, kind, webhook_url_hint, webhook_format, enabled from public.notification_channels where id = ${channelA}`;
const readDeliveries = (db: Tx) => db`select id, status, payload from public.notification_deliveries where channel_id = ${channelA}`;

describe('reads', () => {
  it.each(PERSONAS)('as %s: channels and deliveries of org A', async (persona) => {
    const expected = persona === 'anon' ? '42501' : persona === 'other org' ? 'none' : 'rows';
    expect(await attempt(persona, readChannels)).toBe(expected);
    expect(await attempt(persona, readDeliveries)).toBe(expected);
  });

  it.each(PERSONAS)('as %s: neither the signing secret nor the URL is selectable, of any row', async (persona) => {
    expect(await attempt(persona, (db) => db`select webhook_secret from public.notification_channels`)).toBe('42501');
    expect(await attempt(persona, (db) => db`select webhook_url from public.notification_channels`)).toBe('42501');
    expect(await attempt(persona, (db) => db`select * from public.notification_channels`)).toBe('42501');
  });

  it('org B sees its own channel and deliveries only', async () => {
    const seen = await as(orgB.members.viewer, async (db) => ({
      channels: await db<{ id: string }[]>`select id from public.notification_channels`,
      deliveries: await db<{ channel_id: string }[]>`select channel_id from public.notification_deliveries`,
    }));
    expect(seen.channels.map((c) => c.id)).toEqual([channelB]);
    expect(seen.deliveries.map((d) => d.channel_id)).toEqual([channelB]);
  });
});

describe('writes (server only)', () => {
  it.each(PERSONAS)('as %s: no insert, update or delete on either table', async (persona) => {
    const writes: Array<(db: Tx) => Promise<unknown>> = [
      (db) => db`insert into public.notification_channels (org_id, name, kind, email_recipients) values (${orgA.id}, 'Mine', 'email', ${['me@example.test']}) returning id`,
      (db) => db`update public.notification_channels set enabled = false where id = ${channelA} returning id`,
      (db) => db`update public.notification_channels set webhook_url = 'https://evil.example.com/' where id = ${channelA} returning id`,
      (db) => db`delete from public.notification_channels where id = ${channelA} returning id`,
      (db) => db`insert into public.notification_deliveries (org_id, channel_id, kind, payload) values (${orgA.id}, ${channelA}, 'test', '{}') returning id`,
      (db) => db`update public.notification_deliveries set status = 'delivered' where channel_id = ${channelA} returning id`,
      (db) => db`delete from public.notification_deliveries where channel_id = ${channelA} returning id`,
    ];
    for (const write of writes) expect(await attempt(persona, write)).toBe('42501');
    const [row] = await adminSql()<{ enabled: boolean; deliveries: number }[]>`
      select c.enabled, (select count(*)::int from public.notification_deliveries d where d.channel_id = c.id) as deliveries
      from public.notification_channels c where c.id = ${channelA}`;
    expect(row).toEqual({ enabled: true, deliveries: 1 });
  });
});
