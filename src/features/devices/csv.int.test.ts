import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/context';
import { closeDatabase } from '@/lib/db';
import { expectedOrder, matches, seedFleet, type SeededFleet } from '../../../scripts/test/device-list-fixtures';
import { adminSql, as, closeAdminSql, createTestIntegration, createTestOrg, type TestOrg } from '../../../scripts/test/fixtures';
import { CSV_HEADER, deviceCsvChunks, type DeviceCsvOptions } from './csv';
import type { DeviceFilter } from './filters';
import { producerStream, StreamCancelledError } from './producer-stream';
import { countDevices } from './queries';

/**
 * The CSV export's generator against real Postgres as a member: every matching device once (the
 * row count equals the list's count), in list order, RFC 4180 quoting, formula cells neutralised,
 * nothing of another tenant; and the streaming bridge stops the database cursor when the reader leaves.
 */
let orgA: TestOrg;
let orgB: TestOrg;
let fleetA: SeededFleet;

beforeAll(async () => {
  orgA = await createTestOrg('csv-a');
  orgB = await createTestOrg('csv-b');
  const a: [string, string] = [(await createTestIntegration(orgA, { name: '=cmd|calc' })).id, (await createTestIntegration(orgA, { name: 'A second' })).id];
  const b: [string, string] = [(await createTestIntegration(orgB)).id, (await createTestIntegration(orgB)).id];
  fleetA = await seedFleet(orgA.id, a);
  await seedFleet(orgB.id, b);
});

afterAll(async () => {
  await closeAdminSql();
  await closeDatabase();
});

async function exportText(user: SessionUser, orgId: string, options: DeviceCsvOptions): Promise<{ text: string; rows: number; chunks: number }> {
  let text = '';
  let rows = 0;
  let chunks = 0;
  for await (const chunk of deviceCsvChunks((fn) => as(user, fn), orgId, options)) {
    text += chunk.text;
    rows += chunk.rows;
    chunks++;
  }
  return { text, rows, chunks };
}

function records(text: string): Record<(typeof CSV_HEADER)[number], string>[] {
  return parse(text, { bom: true, columns: true, relax_column_count: false });
}

describe('device CSV', () => {
  const filters: DeviceFilter[] = [{}, { status: ['offline'] }, { group: 'eu', batteryBelow: 60 }, { q: 'formula' }, { q: 'nothing-matches' }];

  it.each(filters.map((f) => [JSON.stringify(f), f] as const))('%s: one line per matching device, as many as the count', async (_label, filter) => {
    const viewer = orgA.members.viewer;
    const { text, rows } = await exportText(viewer, orgA.id, { filter, batchSize: 4 });
    const parsed = records(text);
    const expected = expectedOrder(fleetA.devices.filter((d) => matches(d, filter)), 'name', 'asc');
    expect(parsed.map((r) => r.id)).toEqual(expected.map((d) => d.id));
    expect(rows).toBe(parsed.length);
    expect(parsed.length).toBe(await as(viewer, (db) => countDevices(db, orgA.id, filter)));
  });

  it('starts with a BOM and the header, ends lines with CRLF, and streams in batches', async () => {
    const { text, chunks } = await exportText(orgA.members.viewer, orgA.id, { filter: {}, batchSize: 5 });
    expect(text.startsWith(`\uFEFF${CSV_HEADER.join(',')}\r\n`)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '').includes('\n')).toBe(false);
    expect(chunks).toBe(1 + Math.ceil(fleetA.live.length / 5));
  });

  it('follows the list sort, rows without a value last', async () => {
    const { text } = await exportText(orgA.members.viewer, orgA.id, { filter: {}, sort: 'battery', dir: 'desc' });
    expect(records(text).map((r) => r.id)).toEqual(expectedOrder(fleetA.live, 'battery', 'desc').map((d) => d.id));
  });

  it('writes values faithfully and neutralises spreadsheet formulas', async () => {
    const byName = new Map(records((await exportText(orgA.members.viewer, orgA.id, { filter: {} })).text).map((r) => [r.thing_name, r]));
    expect(byName.get('formula-1')!.display_name).toBe(`'=HYPERLINK("http://evil.test","x")`);
    expect(byName.get('formula-1')!.integration).toBe(`'=cmd|calc`);
    expect(byName.get('formula-1')!.attributes).toBe('{"note": "+1"}');
    expect(byName.get('formula-2')!.display_name).toBe(`'-2+3`);
    expect(byName.get('formula-2')!.groups).toBe(`'@ops`);
    expect(byName.get('formula-3')!.display_name).toBe(`'@SUM(A1)`);
    expect(byName.get('formula-4')!.display_name).toBe(`'\tindent`);
    expect(byName.get('quote-1')!.display_name).toBe('Boiler "B", east');
    expect(byName.get('back-1')!.display_name).toBe('C:\\fleet\\north');

    const dev = fleetA.live.find((d) => d.thingName === 'dev-03')!;
    const row = byName.get('dev-03')!;
    expect(row).toMatchObject({
      display_name: '',
      status: dev.status,
      thing_type: dev.thingType ?? '',
      groups: dev.groups.join(';'),
      firmware_version: dev.firmwareVersion ?? '',
      battery: dev.battery === null ? '' : String(dev.battery),
      rssi: String(dev.rssi),
      integration: `'=cmd|calc`,
      id: dev.id,
    });
    expect(row.last_seen_at).toMatch(/^2026-01-15 11:5\d:00\.12345[56]\+00$/);
    expect(JSON.parse(row.attributes)).toEqual(dev.attributes);
    // Negative numbers stay numbers.
    expect(byName.get('dev-01')!.rssi).toBe('-41');
  });

  it('exports nothing of another organization, whoever asks', async () => {
    for (const user of [orgB.members.owner, orgB.members.viewer]) {
      const { text, rows } = await exportText(user, orgA.id, { filter: {} });
      expect(rows).toBe(0);
      expect(records(text)).toEqual([]);
    }
  });
});

describe('producerStream', () => {
  it('delivers every chunk in order and closes', async () => {
    const stream = producerStream(async (push) => {
      for (let i = 0; i < 50; i++) await push(`${i},`);
    });
    expect(await new Response(stream).text()).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
  });

  it('holds the producer back while the reader is behind', async () => {
    let produced = 0;
    const stream = producerStream(
      async (push) => {
        for (let i = 0; i < 100; i++) {
          await push('x');
          produced++;
        }
      },
      undefined,
      4,
    );
    const reader = stream.getReader();
    await reader.read();
    // Let the producer run as far as it may without another read.
    await new Promise((r) => setImmediate(r));
    expect(produced).toBeLessThan(10);
    await reader.cancel();
  });

  it('holds no transaction or connection while a slow reader pauses', async () => {
    const viewer = orgA.members.viewer;
    let waiting = false;
    let pages = 0;
    const stream = producerStream(
      async (push) => {
        for await (const chunk of deviceCsvChunks((fn) => as(viewer, fn), orgA.id, { filter: {}, batchSize: 2 })) {
          pages++;
          waiting = true;
          await push(chunk.text);
          waiting = false;
        }
      },
      undefined,
      1,
    );
    const reader = stream.getReader();
    await reader.read();
    await reader.read();
    // The reader stops: the producer waits in push() with a page in hand, mid-export.
    await expect.poll(() => waiting).toBe(true);
    expect(pages).toBeLessThan(1 + Math.ceil(fleetA.live.length / 2));
    const sessions = await adminSql()<{ state: string; xact: boolean }[]>`
      select state, xact_start is not null as xact from pg_stat_activity
      where application_name = 'fleetline' and pid <> pg_backend_pid() and (state like 'idle in transaction%' or state = 'active')`;
    expect(sessions).toEqual([]);
    // The export carries on where it paused once the reader is back.
    let text = '';
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    expect(text.split('\r\n').length).toBeGreaterThan(1);
  });

  it('stops reading pages when the reader goes away, releasing its connection', async () => {
    const viewer = orgA.members.viewer;
    let failure: unknown;
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    const stream = producerStream(
      (push) =>
        (async () => {
          for await (const chunk of deviceCsvChunks((fn) => as(viewer, fn), orgA.id, { filter: {}, batchSize: 1 })) await push(chunk.text);
        })().finally(finished),
      (error) => (failure = error),
      1,
    );
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    await done;
    expect(failure).toBeUndefined();
    // The pool still serves queries (the export's connection was released).
    expect(await as(viewer, (db) => countDevices(db, orgA.id, {}))).toBe(fleetA.live.length);
    const [open] = await adminSql()<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where state like 'idle in transaction%' and application_name = 'fleetline'`;
    expect(open!.n).toBe(0);
  });

  it('passes a producer failure to the reader and the error callback', async () => {
    const seen: unknown[] = [];
    const stream = producerStream(
      async (push) => {
        await push('a');
        throw new Error('boom');
      },
      (error) => seen.push(error),
    );
    await expect(new Response(stream).text()).rejects.toThrow('boom');
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toBeInstanceOf(StreamCancelledError);
  });
});
