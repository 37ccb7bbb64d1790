import { serverEnv } from './env';

/** An absolute link into the app on its configured public origin (never one a request claimed). */
export function appUrl(path: string): string {
  if (!path.startsWith('/')) throw new Error('appUrl takes an absolute path');
  // Appended, not resolved: a path like //host stays a path on the app's origin.
  return `${new URL(serverEnv().APP_URL).origin}${path}`;
}
