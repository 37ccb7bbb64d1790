import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttledAlertRequests } from './alert-requests';

describe('throttledAlertRequests', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('sends the first request at once, folds a flood into one trailing send per window, per organization', async () => {
    const sent: Array<[string, number]> = [];
    const requester = throttledAlertRequests({ send: async (org) => sent.push([org, Date.now()]), windowMs: 2_000, onError: () => {} });
    await requester.request('org-a');
    for (let i = 0; i < 50; i++) {
      vi.advanceTimersByTime(20);
      await requester.request('org-a');
    }
    await requester.request('org-b');
    expect(sent).toEqual([['org-a', 1_000_000], ['org-b', 1_001_000]]);
    await vi.advanceTimersByTimeAsync(1_000);
    // The trailing send comes at the end of org-a's window, not one per request.
    expect(sent).toEqual([['org-a', 1_000_000], ['org-b', 1_001_000], ['org-a', 1_002_000]]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toHaveLength(3);
    await requester.request('org-a');
    expect(sent.at(-1)).toEqual(['org-a', 1_012_000]);
  });

  it('reports a failed send instead of throwing, and the next window tries again', async () => {
    const errors: string[] = [];
    let fail = true;
    const sent: string[] = [];
    const requester = throttledAlertRequests({
      send: async (org) => {
        if (fail) throw new Error('queue down');
        sent.push(org);
      },
      windowMs: 1_000,
      onError: (error, org) => errors.push(`${org}: ${(error as Error).message}`),
    });
    await expect(requester.request('org-a')).resolves.toBeUndefined();
    expect(errors).toEqual(['org-a: queue down']);
    fail = false;
    vi.advanceTimersByTime(1_000);
    await requester.request('org-a');
    expect(sent).toEqual(['org-a']);
  });
});
