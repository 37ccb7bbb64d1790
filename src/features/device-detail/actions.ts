'use server';

import { orgOutboundAction } from '@/lib/actions';
import { appAwsDeps } from '@/features/commands/deps';
import { ATTRIBUTE_MIN_ROLE, updateAttributeSchema } from './schemas';
import { updateDeviceAttribute } from './service';

/** Operators and up edit attributes; the wrapper checks the role on every call. */
export const updateDeviceAttributeAction = orgOutboundAction(
  'updateDeviceAttribute',
  { schema: updateAttributeSchema, minRole: ATTRIBUTE_MIN_ROLE },
  (ctx, input) => updateDeviceAttribute(ctx, input, appAwsDeps()),
);
