'use server';

import { orgAction, orgOutboundAction } from '@/lib/actions';
import { asService } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { enforceRateLimit } from '@/lib/rate-limit';
import { deliveryDepsFromEnv } from './delivery';
import { channelRefSchema, channelReportSchema, createChannelSchema, updateChannelSchema } from './schemas';
import { createChannel, deleteChannel, sendTestNotification, setChannelReport, updateChannel, type ChannelDeps } from './service';

/** Owners and admins manage channels; the wrapper checks the role, the service checks it again and the grants refuse members' writes. */
function deps(): ChannelDeps {
  return { keyring: serverEnv().FLEETLINE_VAULT_KEYS };
}

export const createChannelAction = orgAction('createChannel', { schema: createChannelSchema, minRole: 'admin' }, (ctx, input) => createChannel(ctx, input, deps()));

export const updateChannelAction = orgAction('updateChannel', { schema: updateChannelSchema, minRole: 'admin' }, (ctx, input) => updateChannel(ctx, input, deps()));

export const setChannelReportAction = orgAction('setChannelReport', { schema: channelReportSchema, minRole: 'admin' }, setChannelReport);

export const deleteChannelAction = orgAction('deleteChannel', { schema: channelRefSchema, minRole: 'admin' }, deleteChannel);

/** One attempt right away, outside any transaction; rate-limited per organization (it calls out). */
export const sendTestNotificationAction = orgOutboundAction('sendTestNotification', { schema: channelRefSchema, minRole: 'admin' }, async (scope, input) => {
  await enforceRateLimit('testNotification', scope.org.id);
  const outcome = await sendTestNotification(scope, input, deliveryDepsFromEnv({ db: asService, log: scope.log, keyring: serverEnv().FLEETLINE_VAULT_KEYS }));
  return outcome;
});
