import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSeries } from '../src/features/alerts/detector/synthetic';
import { CsvInputError, parseSeriesCsv, parseTime } from './detect-csv';

/** npm run detect: CSV reading (times, bad rows, missing columns) and the command end to end. */
const run = promisify(execFile);
const BAD_ROWS = join(import.meta.dirname, 'fixtures', 'detect-bad-rows.csv');
const dir = mkdtempSync(join(tmpdir(), 'detect-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function detectCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'detect.ts'), ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('parseTime', () => {
  it('reads ISO 8601, epoch seconds and epoch milliseconds, and nothing loose', () => {
    expect(parseTime('2026-03-01T00:05:00Z')).toBe(Date.UTC(2026, 2, 1, 0, 5));
    expect(parseTime('2026-03-01 00:05:00+01:00')).toBe(Date.UTC(2026, 2, 0, 23, 5));
    expect(parseTime('1772323800')).toBe(1_772_323_800_000);
    expect(parseTime('1772323800.5')).toBe(1_772_323_800_500);
    expect(parseTime('1772324100000')).toBe(1_772_324_100_000);
    expect(parseTime('yesterday')).toBeNull();
    expect(parseTime('March 1, 2026')).toBeNull();
    expect(parseTime('')).toBeNull();
  });
});

describe('parseSeriesCsv', () => {
  it('counts and explains the rows it cannot read', () => {
    const parsed = parseSeriesCsv('timestamp,value\n2026-03-01T00:00:00Z,1\n2026-03-01T00:05:00Z,\nnope,2\n2026-03-01T00:10:00Z,x\n', { time: 'timestamp', value: 'value' });
    expect(parsed.series).toEqual([{ t: Date.UTC(2026, 2, 1), v: 1 }]);
    expect(parsed.rows).toBe(4);
    expect(parsed.rejected).toEqual([
      { line: 3, reason: 'unreadable value ""' },
      { line: 4, reason: 'unreadable time "nope"' },
      { line: 5, reason: 'unreadable value "x"' },
    ]);
  });

  it('names a missing column and the columns the header has', () => {
    expect(() => parseSeriesCsv('time,temp\n1,2\n', { time: 'timestamp', value: 'temp' })).toThrow(new CsvInputError('column "timestamp" not found; the header has "time", "temp"'));
    expect(() => parseSeriesCsv('', { time: 'timestamp', value: 'value' })).toThrow(/empty/);
  });
});

describe('npm run detect', () => {
  it('prints the anomalies of a recorded series as JSON', async () => {
    const sample = generateSeries(11, { kinds: ['spike'] });
    expect(sample.labels.length).toBeGreaterThan(0);
    const file = join(dir, 'series.csv');
    writeFileSync(file, `at,temperature\n${sample.series.map((p) => `${new Date(p.t).toISOString()},${p.v}`).join('\n')}\n`);

    const { code, stdout } = await detectCli('--csv', file, '--time-column', 'at', '--value-column', 'temperature', '--sensitivity', 'medium');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.input).toMatchObject({ rows: sample.series.length, used: sample.series.length, rejected: 0 });
    expect(out.model).toMatchObject({ points: sample.series.length, thresholds: { point: 5 } });
    const spikes = out.windows.filter((w: { kind: string }) => w.kind === 'spike');
    for (const label of sample.labels) {
      expect(spikes.some((w: { start: string; end: string }) => Date.parse(w.start) <= label.end && label.start <= Date.parse(w.end))).toBe(true);
    }
    expect(out.points.length).toBeGreaterThan(0);
    expect(out.points.every((p: { kind: string | null }) => p.kind !== null)).toBe(true);
  });

  it('reports unreadable rows instead of dropping them silently', async () => {
    const { code, stdout, stderr } = await detectCli('--csv', BAD_ROWS);
    expect(code).toBe(0);
    expect(stderr).toContain('3 of 6 rows could not be read');
    const out = JSON.parse(stdout);
    expect(out.input).toMatchObject({ rows: 6, used: 3, rejected: 3 });
    expect(out.input.rejectedRows.map((r: { line: number }) => r.line)).toEqual([3, 4, 5]);
  });

  it('refuses bad input with the reason and exit code 2', async () => {
    const missing = await detectCli('--csv', BAD_ROWS, '--value-column', 'temperature');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('column "temperature" not found; the header has "timestamp", "value", "note"');
    expect(missing.stdout).toBe('');

    const noFile = await detectCli('--csv', join(dir, 'absent.csv'));
    expect(noFile).toMatchObject({ code: 2, stderr: expect.stringContaining('ENOENT') });
    const noArg = await detectCli();
    expect(noArg).toMatchObject({ code: 2, stderr: expect.stringContaining('--csv <file> is required') });
    const badSensitivity = await detectCli('--csv', BAD_ROWS, '--sensitivity', 'extreme');
    expect(badSensitivity.code).toBe(2);
    const nothingReadable = join(dir, 'nothing.csv');
    writeFileSync(nothingReadable, 'timestamp,value\nx,y\n');
    expect(await detectCli('--csv', nothingReadable)).toMatchObject({ code: 2, stderr: expect.stringContaining('no readable rows in 1 (line 2: unreadable time "x")') });
  });
});
