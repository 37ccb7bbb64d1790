'use server';

import { orgAction } from '@/lib/actions';
import { enforceRateLimit } from '@/lib/rate-limit';
import { jobQueue } from '@/lib/jobs/queue-client';
import { enqueueSync } from '@/lib/jobs/queues';
import { SYNC_NOW_MIN_ROLE, syncNowSchema } from './schemas';
import { requestSync } from './service';

export const syncNowAction = orgAction('syncNow', { schema: syncNowSchema, minRole: SYNC_NOW_MIN_ROLE }, async (ctx, input) => {
  await enforceRateLimit('syncNow', ctx.org.id);
  return requestSync(ctx, input, { enqueue: async (payload) => enqueueSync(await jobQueue(), payload) });
});
