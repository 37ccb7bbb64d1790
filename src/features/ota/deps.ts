import 'server-only';
import { appRuntime } from '@/features/integrations/runtime/app-runtime';
import type { OtaDeps } from './service';

/** The OTA actions' and route handlers' AWS access: the app's integration runtime. */
export function otaDeps(): OtaDeps {
  return { runtime: appRuntime() };
}
