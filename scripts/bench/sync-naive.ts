// Child process of `npm run bench:sync`: the naive baseline open-source peers use — page through
// ListThings, then for each thing one GetThingShadow at a time and one upsert per device (SDK default
// retries, no pacing, one autocommitted statement per row). Prints one JSON line like sync-run.ts.

import { IoTClient, paginateListThings } from '@aws-sdk/client-iot';
import { GetThingShadowCommand, IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { processUsage } from './usage';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    region: { type: 'string' },
    org: { type: 'string' },
    integration: { type: 'string' },
  },
});
const { endpoint, region, org, integration } = values;
const accessKeyId = process.env.BENCH_AWS_ACCESS_KEY_ID;
const secretAccessKey = process.env.BENCH_AWS_SECRET_ACCESS_KEY;
if (!endpoint || !region || !org || !integration || !accessKeyId || !secretAccessKey) {
  process.stderr.write('usage: sync-naive.ts --endpoint <url> --region <r> --org <uuid> --integration <uuid> (keys in BENCH_AWS_*)\n');
  process.exit(2);
}

const config = { endpoint, region, credentials: { accessKeyId, secretAccessKey } };
const iot = new IoTClient(config);
const data = new IoTDataPlaneClient(config);
const sql = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
const decoder = new TextDecoder();
type ShadowDoc = { state?: Record<string, unknown>; version?: number };

const started = performance.now();
let things = 0;
let rowsWritten = 0;
let shadowErrors = 0;
try {
  for await (const page of paginateListThings({ client: iot, pageSize: 250 }, {})) {
    for (const t of page.things ?? []) {
      things++;
      let shadow: ShadowDoc | null = null;
      try {
        const out = await data.send(new GetThingShadowCommand({ thingName: t.thingName! }));
        shadow = JSON.parse(decoder.decode(out.payload)) as ShadowDoc;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') shadowErrors++;
      }
      await sql`
        insert into public.devices (org_id, integration_id, thing_name, thing_type, attributes, shadow, shadow_version, sync_hash, synced_at)
        values (${org}, ${integration}, ${t.thingName!}, ${t.thingTypeName ?? null}, ${sql.json(t.attributes ?? {})},
                ${shadow?.state ? sql.json(shadow.state as never) : null}, ${shadow?.version ?? null}, 'naive', now())
        on conflict (integration_id, thing_name) do update set
          thing_type = excluded.thing_type, attributes = excluded.attributes, shadow = excluded.shadow,
          shadow_version = excluded.shadow_version, synced_at = now()`;
      rowsWritten++;
    }
  }
  const wallMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ things, rowsWritten, shadowErrors, wallMs, ...processUsage() })}\n`);
} finally {
  iot.destroy();
  data.destroy();
  await sql.end();
}
