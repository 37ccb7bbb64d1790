/** The oldest Node line Fleetline runs on (global WebSocket for supabase-js; the AWS SDK's floor). */
export const MIN_NODE_MAJOR = 22;

/** Stops start-up on an older Node with a message saying what to do, instead of an obscure failure later. */
export function assertSupportedNode(version: string = process.versions.node): void {
  const major = Number(version.split('.')[0]);
  if (!(major >= MIN_NODE_MAJOR)) {
    throw new Error(`Fleetline needs Node 22 or 24; this is Node ${version}. The README's quick start shows how to get Node 24.`);
  }
}
