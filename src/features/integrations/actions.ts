'use server';

import { orgAction, orgOutboundAction } from '@/lib/actions';
import { platformIdentityFromEnv } from '@/lib/aws/clients';
import { serverEnv } from '@/lib/env';
import { enforceRateLimit } from '@/lib/rate-limit';
import {
  createIntegrationSchema,
  deleteIntegrationSchema,
  integrationRefSchema,
  rotateCredentialsSchema,
  testConnectionSchema,
  updateIntegrationSchema,
} from './schemas';
import {
  createIntegration,
  deleteIntegration,
  pauseIntegration,
  resumeIntegration,
  rotateCredentials,
  testConnection,
  testIntegration,
  updateIntegration,
  type IntegrationDeps,
} from './service';

/** Owners and admins write; the wrapper checks the role, the service and RLS check it again. Preflights run outside transactions. */
function deps(): IntegrationDeps {
  return { keyring: serverEnv().FLEETLINE_VAULT_KEYS, platform: platformIdentityFromEnv() };
}

export const testConnectionAction = orgOutboundAction('testConnection', { schema: testConnectionSchema, minRole: 'admin' }, async (ctx, input) => {
  await enforceRateLimit('testConnection', ctx.org.id);
  return testConnection(ctx, input, deps());
});

export const createIntegrationAction = orgOutboundAction('createIntegration', { schema: createIntegrationSchema, minRole: 'admin' }, (ctx, input) =>
  createIntegration(ctx, input, deps()),
);

export const testIntegrationAction = orgOutboundAction('testIntegration', { schema: integrationRefSchema, minRole: 'admin' }, async (ctx, input) => {
  await enforceRateLimit('testConnection', ctx.org.id);
  return testIntegration(ctx, input, deps());
});

export const updateIntegrationAction = orgOutboundAction('updateIntegration', { schema: updateIntegrationSchema, minRole: 'admin' }, (ctx, input) =>
  updateIntegration(ctx, input, deps()),
);

export const pauseIntegrationAction = orgAction('pauseIntegration', { schema: integrationRefSchema, minRole: 'admin' }, pauseIntegration);

export const resumeIntegrationAction = orgAction('resumeIntegration', { schema: integrationRefSchema, minRole: 'admin' }, resumeIntegration);

export const rotateCredentialsAction = orgOutboundAction('rotateCredentials', { schema: rotateCredentialsSchema, minRole: 'admin' }, (ctx, input) =>
  rotateCredentials(ctx, input, deps()),
);

export const deleteIntegrationAction = orgAction('deleteIntegration', { schema: deleteIntegrationSchema, minRole: 'admin' }, deleteIntegration);
