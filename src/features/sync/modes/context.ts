import type { IoTClient } from '@aws-sdk/client-iot';
import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type { ObservedThing } from '../model';

/** What a sync mode needs: governed clients, paging settings, and where to report non-fatal problems. */
export interface ModeContext {
  iot: IoTClient;
  iotData: IoTDataPlaneClient;
  signal: AbortSignal;
  /** Things per listing page (SearchIndex ≤ 100, ListThings ≤ 250). */
  pageSize: number;
  /** GetThingShadow calls in flight at once (registry mode). */
  shadowConcurrency: number;
  /** Thing groups of the account (ListThingGroups); memberships outside it, e.g. billing groups, are dropped. */
  knownGroups: ReadonlySet<string>;
  warn(message: string): void;
}

/** A sync mode yields the things of the account page by page, following every nextToken to the end. */
export type ThingPages = AsyncGenerator<ObservedThing[], void, undefined>;
