import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set and CPU time, for the bench children: resourceUsage().maxRSS
 * (kilobytes, getrusage) and, on Linux, /proc/self/status VmHWM as a second reading of the same peak;
 * plus the V8 heap's peak, sampled, to tell live data from what the collector has not yet returned.
 */
let peakHeapUsed = 0;
let peakHeapTotal = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
  peakHeapTotal = Math.max(peakHeapTotal, m.heapTotal);
  if (process.env.BENCH_MEMORY_TRACE) process.stderr.write(`MEM rss=${m.rss >> 20} heapUsed=${m.heapUsed >> 20} heapTotal=${m.heapTotal >> 20} external=${m.external >> 20}\n`);
}, Number(process.env.BENCH_MEMORY_TRACE || 250));
sampler.unref();

export function processUsage() {
  const usage = process.resourceUsage();
  let vmHwmBytes: number | null = null;
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) vmHwmBytes = Number(m[1]) * 1024;
  } catch {
    // not Linux: the getrusage figure stands alone
  }
  return {
    peakRssBytes: usage.maxRSS * 1024,
    vmHwmBytes,
    peakHeapUsedBytes: peakHeapUsed,
    peakHeapTotalBytes: peakHeapTotal,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  };
}
