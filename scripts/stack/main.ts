import { DEV_PORTS } from './config';
import { logLine } from './log';
import { startStack, writeEnvFile } from './stack';

/**
 * npm run stack — Postgres, auth and the AWS simulator in the foreground; Ctrl-C stops them all.
 * Run the app beside it with `npm run dev`.
 */
const fresh = process.argv.includes('--fresh');
try {
  const stack = await startStack({ ports: DEV_PORTS, name: 'dev', fresh, log: logLine });
  await writeEnvFile(stack.env);
  logLine('stack', 'wrote .env.local; start the app with `npm run dev`. Ctrl-C stops the stack.');
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logLine('stack', `${signal}: stopping…`);
    await stack.stop();
    logLine('stack', 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  logLine('stack', (error as Error).message);
  process.exit(1);
}
