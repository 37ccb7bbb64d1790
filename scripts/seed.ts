import { createClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import { noRealtime } from '../src/lib/supabase/no-realtime';

/** The demo login printed by `npm run demo` and shown in the README. */
export const DEMO_USER = { email: 'demo@fleetline.dev', password: 'fleetline-demo' } as const;
export const DEMO_ORG = { slug: 'demo', name: 'Demo Fleet' } as const;

/**
 * Seeds the demo organization and its owner. Idempotent: running it again changes nothing.
 * Users are created through the auth server's admin API, as on hosted Supabase.
 */
export async function seedDemo(env: Record<string, string>, log: (line: string) => void): Promise<void> {
  const admin = createClient(env.SUPABASE_URL!, env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: noRealtime,
  });
  const sql = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    let [user] = await sql<{ id: string }[]>`select id from auth.users where email = ${DEMO_USER.email}`;
    if (!user) {
      const { data, error } = await admin.auth.admin.createUser({ ...DEMO_USER, email_confirm: true });
      if (error || !data.user) throw new Error(`could not create the demo user: ${error?.message}`);
      user = { id: data.user.id };
      log(`created user ${DEMO_USER.email}`);
    }
    await sql.begin(async (tx) => {
      const [org] = await tx<{ id: string }[]>`
        insert into public.organizations (slug, name, created_by) values (${DEMO_ORG.slug}, ${DEMO_ORG.name}, ${user.id})
        on conflict (slug) do update set slug = excluded.slug
        returning id`;
      await tx`
        insert into public.memberships (org_id, user_id, role) values (${org!.id}, ${user.id}, 'owner')
        on conflict (org_id, user_id) do nothing`;
    });
    log(`organization /${DEMO_ORG.slug} ready`);
  } finally {
    await sql.end();
  }
}
