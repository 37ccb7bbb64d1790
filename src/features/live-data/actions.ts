'use server';

import { orgOutboundAction } from '@/lib/actions';
import { serverEnv } from '@/lib/env';
import { enforceRateLimit } from '@/lib/rate-limit';
import { asService } from '@/lib/db';
import { appRuntime } from '@/features/integrations/runtime/app-runtime';
import { enableLiveDataSchema, liveDataRefSchema } from './schemas';
import { disableLiveData, enableLiveData, refreshLiveDataStatus, rotateIngestSecret, type LiveDataDeps } from './service';

/** Admins only; each action calls AWS outside any transaction (orgOutboundAction). */
function deps(): LiveDataDeps {
  return { db: asService, runtime: appRuntime(), appUrl: serverEnv().APP_URL };
}

export const enableLiveDataAction = orgOutboundAction('enableLiveData', { schema: enableLiveDataSchema, minRole: 'admin' }, async (scope, input) => {
  await enforceRateLimit('liveDataSetup', scope.org.id);
  return enableLiveData(scope, input, deps());
});

export const disableLiveDataAction = orgOutboundAction('disableLiveData', { schema: liveDataRefSchema, minRole: 'admin' }, (scope, input) =>
  disableLiveData(scope, input, deps()),
);

export const rotateIngestSecretAction = orgOutboundAction('rotateIngestSecret', { schema: liveDataRefSchema, minRole: 'admin' }, async (scope, input) => {
  await enforceRateLimit('liveDataSetup', scope.org.id);
  return rotateIngestSecret(scope, input, deps());
});

export const refreshLiveDataStatusAction = orgOutboundAction('refreshLiveDataStatus', { schema: liveDataRefSchema, minRole: 'admin' }, async (scope, input) => {
  await enforceRateLimit('liveDataSetup', scope.org.id);
  return refreshLiveDataStatus(scope, input, deps());
});
