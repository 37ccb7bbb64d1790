/** Runs once when the server starts: refuse to boot with a broken configuration. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const [{ assertSupportedNode }, { serverEnv }] = await Promise.all([import('./lib/node-version'), import('./lib/env')]);
  assertSupportedNode();
  serverEnv();
}
