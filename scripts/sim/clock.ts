/**
 * Simulated time. Fleet state, shadows, jobs and Timestream use it; SigV4, token buckets and
 * credential expiry use real time, because the SDK on the other side lives in real time.
 */
export class SimClock {
  private anchorSim: number;
  private anchorReal: number;
  private scale: number;

  constructor(startMs: number = Date.now(), scale = 1) {
    this.anchorSim = startMs;
    this.anchorReal = Date.now();
    this.scale = scale;
  }

  now(): number {
    return Math.floor(this.anchorSim + (Date.now() - this.anchorReal) * this.scale);
  }

  get timeScale(): number {
    return this.scale;
  }

  /** Moves simulated time forward; time never goes backwards (jobs and shadows rely on it). */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance needs a non-negative number of milliseconds');
    this.rebase();
    this.anchorSim += ms;
    return this.now();
  }

  setTime(ms: number): number {
    const current = this.now();
    if (!Number.isFinite(ms) || ms < current) throw new RangeError('the simulated clock cannot go backwards');
    return this.advance(ms - current);
  }

  setScale(scale: number): void {
    if (!Number.isFinite(scale) || scale < 0 || scale > 100_000) throw new RangeError('time scale must be within 0..100000');
    this.rebase();
    this.scale = scale;
  }

  private rebase(): void {
    this.anchorSim = this.now();
    this.anchorReal = Date.now();
  }
}
