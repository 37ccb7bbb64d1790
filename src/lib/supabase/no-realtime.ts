import type { SupabaseClientOptions } from '@supabase/supabase-js';

/**
 * supabase-js builds its realtime client eagerly and throws on Node 20, which has no global
 * WebSocket. Fleetline uses Supabase for Auth only, so a transport that refuses to be used is enough.
 */
class NoRealtime {
  constructor() {
    throw new Error('Supabase Realtime is not used by Fleetline');
  }
}

export const noRealtime = {
  transport: NoRealtime as unknown as NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport'],
};
