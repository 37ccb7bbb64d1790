'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

/**
 * Runs one of the alerts actions from a row's controls: pending while it runs, the refusal's
 * message when it fails, and a refresh either way (the row shows the state the server holds).
 */
export function useAlertAction() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  function run(call: () => Promise<{ ok: boolean; error?: { message: string } }>) {
    setError(null);
    startTransition(async () => {
      const result = await call();
      if (!result.ok) setError(result.error?.message ?? 'Something went wrong.');
      router.refresh();
    });
  }

  return { pending, error, run };
}
