'use server';

import { orgAction } from '@/lib/actions';
import { jobQueue } from '@/lib/jobs/queue-client';
import { enqueueBulkOperation } from '@/lib/jobs/queues';
import { BULK_MIN_ROLE, bulkOperationRefSchema, previewBulkSchema, startBulkSchema } from './schemas';
import { cancelBulkOperation, previewBulkOperation, startBulkOperation } from './service';

/** Operators and up; the wrapper checks the role, the service and RLS check it again. */
export const previewBulkOperationAction = orgAction('previewBulkOperation', { schema: previewBulkSchema, minRole: BULK_MIN_ROLE }, previewBulkOperation);

export const startBulkOperationAction = orgAction('startBulkOperation', { schema: startBulkSchema, minRole: BULK_MIN_ROLE }, (ctx, input) =>
  startBulkOperation(ctx, input, { enqueue: async (payload) => enqueueBulkOperation(await jobQueue(), payload) }),
);

export const cancelBulkOperationAction = orgAction('cancelBulkOperation', { schema: bulkOperationRefSchema, minRole: BULK_MIN_ROLE }, cancelBulkOperation);
