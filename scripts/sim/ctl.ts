// `npx tsx scripts/sim/ctl.ts <command> [flags]`: device-behaviour controls (and the rules engine) of a running simulator (e.g. the
// one `npm run demo` starts on :4566) through its admin API. See scripts/sim/README.md.

import { parseArgs } from 'node:util';
import { DEFAULT_HOST, DEFAULT_PORT, DEMO_ACCOUNT_ID } from './config';

const HELP = `Device controls of a running AWS fleet simulator

  offline   take devices offline            [--reason CONNECTION_LOST|MQTT_KEEP_ALIVE_TIMEOUT|…]
  online    bring held devices back
  drain     drain batteries                 --rate <points per hour> [--minutes <n>]
  anomaly   inject into a metric            --kind spike|shift|drift|stuck --metric temperature|battery|rssi
                                            [--value <v>] [--delta <d>] [--rate <per hour>] [--minutes <n>]
  clear     end controls (all devices without a selector)   [--kinds offline,drain,spike,shift,drift,stuck]
  list      controls in force
  bad-build devices that install a firmware through a job misbehave from then on (see the OTA health guard)
                                            --firmware <version> [--rate <battery points per hour, default 20>] | --kind offline
                                            --firmware none removes the rules; without --firmware lists them
  rules     topic rules, destinations and delivery counters (GET /_sim/rules)
  flush     deliver everything the rules engine has pending now (POST /_sim/rules/flush)

  Devices:  --things a,b,… | --prefix <p> | --group <thing group> | --count <n> (combine prefix/group/count)
  Target:   --url <simulator> (default http://${DEFAULT_HOST}:${DEFAULT_PORT})  --account <id> (default ${DEMO_ACCOUNT_ID})

  e.g. npx tsx scripts/sim/ctl.ts offline --group site-berlin --count 5
       npx tsx scripts/sim/ctl.ts anomaly --things sensor-000007 --kind spike --metric temperature --value 80
       npx tsx scripts/sim/ctl.ts bad-build --firmware 2.1.0 --rate 60`;

function fail(message: string): never {
  console.error(`sim ctl: ${message}\n\n${HELP}`);
  process.exit(2);
}

const num = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) fail(`--${name} must be a number`);
  return n;
};

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: Object.fromEntries(
        ['url', 'account', 'things', 'prefix', 'group', 'count', 'reason', 'rate', 'minutes', 'kind', 'metric', 'value', 'delta', 'kinds', 'firmware'].map((k) => [k, { type: 'string' as const }]),
      ),
      strict: true,
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const a = parsed.values as Record<string, string | undefined>;
  const command = parsed.positionals[0];
  const root = `${(a.url ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`).replace(/\/$/, '')}/_sim`;
  let base = `${root}/accounts/${a.account ?? DEMO_ACCOUNT_ID}/devices`;
  const selector = {
    ...(a.things ? { thingNames: a.things.split(',').filter(Boolean) } : {}),
    ...(a.prefix ? { prefix: a.prefix } : {}),
    ...(a.group ? { group: a.group } : {}),
    ...(a.count ? { count: num('count', a.count) } : {}),
  };
  const minutes = num('minutes', a.minutes);
  const durationMs = minutes === undefined ? {} : { durationMs: Math.round(minutes * 60_000) };
  let request: { method: string; path: string; body?: unknown };
  switch (command) {
    case 'offline':
      request = { method: 'POST', path: '/offline', body: { ...selector, ...(a.reason ? { reason: a.reason } : {}) } };
      break;
    case 'online':
      request = { method: 'POST', path: '/online', body: selector };
      break;
    case 'drain':
      request = { method: 'POST', path: '/battery-drain', body: { ...selector, ratePerHour: num('rate', a.rate), ...durationMs } };
      break;
    case 'anomaly':
      request = {
        method: 'POST',
        path: '/anomaly',
        body: { ...selector, kind: a.kind, metric: a.metric, value: num('value', a.value), delta: num('delta', a.delta), ratePerHour: num('rate', a.rate), ...durationMs },
      };
      break;
    case 'clear':
      request = { method: 'POST', path: '/clear', body: { ...selector, ...(a.kinds ? { kinds: a.kinds.split(',') } : {}) } };
      break;
    case 'list':
      request = { method: 'GET', path: '/controls' };
      break;
    case 'bad-build': {
      base = `${root}/accounts/${a.account ?? DEMO_ACCOUNT_ID}/firmware-behaviour`;
      if (a.firmware === undefined) {
        request = { method: 'GET', path: '' };
        break;
      }
      const effect = a.kind === 'offline' ? { kind: 'offline' } : { kind: 'drain', ratePerHour: num('rate', a.rate) ?? 20 };
      request = { method: 'PUT', path: '', body: { rules: a.firmware === 'none' ? [] : [{ firmware: a.firmware, effect }] } };
      break;
    }
    case 'rules':
    case 'flush':
      base = `${root}/rules`;
      request = command === 'rules' ? { method: 'GET', path: '' } : { method: 'POST', path: '/flush' };
      break;
    default:
      fail(command ? `unknown command ${command}` : 'a command is required');
  }
  const res = await fetch(base + request.path, {
    method: request.method,
    headers: request.body === undefined ? {} : { 'content-type': 'application/json' },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  }).catch((err: Error) => fail(`cannot reach the simulator at ${base}: ${err.message}`));
  const text = await res.text();
  console.log(text);
  if (!res.ok) process.exit(1);
}

void main();
