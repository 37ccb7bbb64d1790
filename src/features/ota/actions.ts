'use server';

import { orgOutboundAction } from '@/lib/actions';
import { otaDeps } from './deps';
import { cancelOtaJobSchema, createOtaJobSchema, OTA_WRITE_MIN_ROLE } from './schemas';
import { cancelOtaJob, createOtaJob } from './service';

/** Owners and admins launch and cancel jobs; the wrapper checks the role, the service checks it again. */
export const createOtaJobAction = orgOutboundAction('createOtaJob', { schema: createOtaJobSchema, minRole: OTA_WRITE_MIN_ROLE }, (ctx, input) =>
  createOtaJob(ctx, input, otaDeps()),
);

export const cancelOtaJobAction = orgOutboundAction('cancelOtaJob', { schema: cancelOtaJobSchema, minRole: OTA_WRITE_MIN_ROLE }, (ctx, input) =>
  cancelOtaJob(ctx, input, otaDeps()),
);
