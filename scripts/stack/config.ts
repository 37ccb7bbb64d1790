import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, wherever the script is started from. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Everything the local stack writes (database files, keys, sockets) lives here; git-ignored. */
export const STATE_DIR = path.join(ROOT, '.fleetline');

/** Ports mirror the Supabase CLI's so habits carry over. */
export interface StackPorts {
  db: number;
  auth: number;
  sim: number;
  app: number;
  /** The SMTP sink (notification e-mail) and its web inbox. */
  smtp: number;
  mail: number;
}

export const DEV_PORTS: StackPorts = { db: 54322, auth: 54321, sim: 4566, app: 3000, smtp: 1025, mail: 1080 };
/**
 * Tests run their own stack beside a developer's running one. FLEETLINE_TEST_PORT_OFFSET shifts
 * every port so two test runs (e.g. two checkouts) can share a machine.
 */
const offset = Number(process.env.FLEETLINE_TEST_PORT_OFFSET ?? 0);
export const TEST_PORTS: StackPorts = { db: 54422 + offset, auth: 54421 + offset, sim: 4666 + offset, app: 3100 + offset, smtp: 1125 + offset, mail: 1180 + offset };

export function databaseUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}
