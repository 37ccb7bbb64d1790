import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../stack/config';

export interface SimulatorProcess {
  url: string;
  stop: () => Promise<void>;
}

/**
 * The AWS simulator in its own process (`scripts/sim/main.ts` with `args`), so the benchmark's
 * measurements never include the simulator's CPU or memory. Resolves once it prints its URL.
 */
export async function startSimulatorProcess(args: string[]): Promise<SimulatorProcess> {
  const main = path.join(ROOT, 'scripts', 'sim', 'main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /ready at (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
