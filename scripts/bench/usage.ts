import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set and CPU time, for the bench children: resourceUsage().maxRSS
 * (kilobytes, getrusage) and, on Linux, /proc/self/status VmHWM as a second reading of the same peak.
 */
export function processUsage(): { peakRssBytes: number; vmHwmBytes: number | null; cpuSeconds: number } {
  const usage = process.resourceUsage();
  let vmHwmBytes: number | null = null;
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) vmHwmBytes = Number(m[1]) * 1024;
  } catch {
    // not Linux: the getrusage figure stands alone
  }
  return { peakRssBytes: usage.maxRSS * 1024, vmHwmBytes, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 };
}
