import { appRuntime } from '@/features/integrations/runtime/app-runtime';
import type { AwsDeps } from './aws';

/** The app's AWS dependencies: the integration runtime (vault keyring, platform identity, shared budget). */
export function appAwsDeps(): AwsDeps {
  return appRuntime();
}
