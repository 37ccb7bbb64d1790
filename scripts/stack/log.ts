/** One coloured, fixed-width prefix per part, so interleaved logs stay readable. */
const COLOURS: Record<string, number> = { db: 34, auth: 35, sim: 33, mail: 31, app: 36, worker: 32, stack: 90, seed: 32, build: 90 };

export function prefixed(part: string, line: string): string {
  const tag = `[${part}]`.padEnd(9);
  const colour = COLOURS[part] ?? 37;
  return process.stdout.isTTY ? `\x1b[${colour}m${tag}\x1b[0m ${line}` : `${tag} ${line}`;
}

export function logLine(part: string, line: string): void {
  console.log(prefixed(part, line));
}
