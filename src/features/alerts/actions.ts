'use server';

import { z } from 'zod';
import { orgAction } from '@/lib/actions';
import {
  acknowledgeAlertSchema,
  ALERTS_WRITE_ROLE,
  createRuleSchema,
  ruleRefSchema,
  setRuleEnabledSchema,
  snoozeDeviceSchema,
  snoozeRuleSchema,
  updateRuleSchema,
} from './schemas';
import { acknowledgeAlert, createRule, deleteRule, markAlertsRead, setRuleEnabled, snoozeDevice, snoozeRule, updateRule } from './service';

/** Operators and up; the wrapper checks the role, the service checks it again. */
const writer = { minRole: ALERTS_WRITE_ROLE };

export const createAlertRuleAction = orgAction('createAlertRule', { ...writer, schema: createRuleSchema }, createRule);
export const updateAlertRuleAction = orgAction('updateAlertRule', { ...writer, schema: updateRuleSchema }, updateRule);
export const deleteAlertRuleAction = orgAction('deleteAlertRule', { ...writer, schema: ruleRefSchema }, deleteRule);
export const setAlertRuleEnabledAction = orgAction('setAlertRuleEnabled', { ...writer, schema: setRuleEnabledSchema }, setRuleEnabled);
export const snoozeAlertRuleAction = orgAction('snoozeAlertRule', { ...writer, schema: snoozeRuleSchema }, snoozeRule);
export const snoozeAlertDeviceAction = orgAction('snoozeAlertDevice', { ...writer, schema: snoozeDeviceSchema }, snoozeDevice);
export const acknowledgeAlertAction = orgAction('acknowledgeAlert', { ...writer, schema: acknowledgeAlertSchema }, acknowledgeAlert);
/** Any member marks their own bell read. */
export const markAlertsReadAction = orgAction('markAlertsRead', { minRole: 'viewer', schema: z.object({}) }, (ctx) => markAlertsRead(ctx));
