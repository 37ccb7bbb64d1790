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
}

export const DEV_PORTS: StackPorts = { db: 54322, auth: 54321, sim: 4566, app: 3000 };
/** Tests run their own stack beside a developer's running one. */
export const TEST_PORTS: StackPorts = { db: 54422, auth: 54421, sim: 4666, app: 3100 };

export function databaseUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}
