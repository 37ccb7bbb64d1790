import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { detect } from '../src/features/alerts/detector/detect';
import { sensitivitySchema } from '../src/features/alerts/detector/schemas';
import { CsvInputError, parseSeriesCsv } from './detect-csv';

/**
 * npm run detect -- --csv <file> [--time-column timestamp --value-column value] [--sensitivity medium]
 * [--min-history-hours 24] — runs the anomaly detector on a recorded series and prints what it
 * finds as JSON (windows, anomalous points, the model). Exits 2 on bad input, with the reason.
 */
const USAGE =
  'usage: npm run detect -- --csv <file> [--time-column timestamp] [--value-column value] [--sensitivity low|medium|high|<z>] [--min-history-hours 24]\n';

function fail(message: string): never {
  process.stderr.write(`detect: ${message}\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      csv: { type: 'string' },
      'time-column': { type: 'string', default: 'timestamp' },
      'value-column': { type: 'string', default: 'value' },
      sensitivity: { type: 'string', default: 'medium' },
      'min-history-hours': { type: 'string', default: '24' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
const args = z
  .object({
    csv: z.string({ error: '--csv <file> is required' }).min(1),
    sensitivity: z.union([z.enum(['low', 'medium', 'high']), z.coerce.number()]).pipe(sensitivitySchema),
    minHistoryHours: z.coerce.number().min(0).max(24 * 365),
  })
  .safeParse({ csv: values.csv, sensitivity: values.sensitivity, minHistoryHours: values['min-history-hours'] });
if (!args.success) fail(args.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; '));

let text: string;
try {
  text = readFileSync(args.data.csv, 'utf8');
} catch (error) {
  fail(`cannot read ${args.data.csv}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
}

let parsed;
try {
  parsed = parseSeriesCsv(text, { time: values['time-column'], value: values['value-column'] });
} catch (error) {
  if (error instanceof CsvInputError) fail(error.message);
  throw error;
}
if (parsed.series.length === 0) {
  fail(`no readable rows in ${parsed.rows} (${parsed.rejected.slice(0, 3).map((r) => `line ${r.line}: ${r.reason}`).join('; ') || 'the file has only a header'})`);
}
if (parsed.rejected.length > 0) {
  process.stderr.write(`detect: ${parsed.rejected.length} of ${parsed.rows} rows could not be read and were left out (listed in input.rejectedRows)\n`);
}

const result = detect(parsed.series, { sensitivity: args.data.sensitivity, minHistoryMs: Math.round(args.data.minHistoryHours * 3_600_000) });
const iso = (ms: number) => new Date(ms).toISOString();
process.stdout.write(
  `${JSON.stringify(
    {
      input: {
        file: args.data.csv,
        rows: parsed.rows,
        used: parsed.series.length,
        rejected: parsed.rejected.length,
        rejectedRows: parsed.rejected.slice(0, 50),
      },
      model: { ...result.model, armedAt: result.model.armedAt === null ? null : iso(result.model.armedAt), seasonalSince: result.model.seasonalSince === null ? null : iso(result.model.seasonalSince) },
      windows: result.windows.map((w) => ({ ...w, start: iso(w.start), end: iso(w.end) })),
      points: result.points.filter((p) => p.kind !== null).map((p) => ({ ...p, t: iso(p.t) })),
    },
    null,
    2,
  )}\n`,
);
