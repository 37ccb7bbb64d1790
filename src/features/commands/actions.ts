'use server';

import { orgOutboundAction } from '@/lib/actions';
import { appAwsDeps } from './deps';
import { COMMAND_MIN_ROLE, sendCommandSchema } from './schemas';
import { sendCommand } from './service';

/** Operators and up; the wrapper checks the role, RLS checks it again on the command row. */
export const sendCommandAction = orgOutboundAction('sendCommand', { schema: sendCommandSchema, minRole: COMMAND_MIN_ROLE }, (ctx, input) =>
  sendCommand(ctx, input, appAwsDeps()),
);
