import path from 'node:path';
import { parseArgs } from 'node:util';
import { databaseUrl, DEV_PORTS, STATE_DIR } from '../stack/config';
import { loadOrCreateAuthKeys } from './keys';
import { startAuthServer } from './server';

// Standalone run of the local auth server against an already running Postgres:
//   npx tsx scripts/auth/main.ts --port 54321 --db-url postgres://postgres:postgres@127.0.0.1:54322/postgres
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: String(DEV_PORTS.auth) },
    'db-url': { type: 'string', default: databaseUrl(DEV_PORTS.db) },
    keys: { type: 'string', default: path.join(STATE_DIR, 'auth-keys.json') },
    'site-url': { type: 'string', default: `http://127.0.0.1:${DEV_PORTS.app}` },
    'jwt-expiry': { type: 'string', default: '3600' },
  },
});

const port = Number(values.port);
const jwtExpirySeconds = Number(values['jwt-expiry']);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${values.port}"`);
if (!Number.isInteger(jwtExpirySeconds) || jwtExpirySeconds <= 90) throw new Error('--jwt-expiry must be an integer above 90 (seconds)');

const keys = await loadOrCreateAuthKeys(values.keys);
const server = await startAuthServer({
  port,
  databaseUrl: values['db-url'],
  keys,
  siteUrl: values['site-url'],
  jwtExpirySeconds,
  onLog: (line) => console.log(`[auth] ${line}`),
});
console.log(`[auth] ready at ${server.url} (anon and service keys in ${values.keys})`);

const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
