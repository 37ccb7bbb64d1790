'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import type { ActionError } from '@/lib/errors';
import { paths } from '@/lib/paths';
import { deleteChannelAction } from '../actions';

/** Deletes a channel after a confirmation that says what goes with it. */
export function DeleteChannel({ orgSlug, channelId, name }: { orgSlug: string; channelId: string; name: string }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ActionError | null>(null);
  const [pending, start] = useTransition();
  if (!confirming) {
    return (
      <Button type="button" variant="danger" onClick={() => setConfirming(true)}>
        Delete channel…
      </Button>
    );
  }
  return (
    <div
      role="group"
      aria-label="Confirm deletion"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !pending) {
          setConfirming(false);
          setError(null);
        }
      }}
      className="space-y-3 rounded-md border border-danger-200 bg-danger-50 p-4 text-sm text-danger-800 dark:border-danger-800 dark:bg-danger-950 dark:text-danger-200">
      <p className="font-semibold">Delete “{name}”?</p>
      <p>Its delivery log goes with it, and alert rules that route to it stop notifying it. This cannot be undone.</p>
      {error ? <FormError message={error.message} /> : null}
      <div className="flex justify-end gap-3">
        <Button type="button" variant="secondary" autoFocus onClick={() => { setConfirming(false); setError(null); }}>
          Cancel
        </Button>
        <Button
          type="button"
          variant="danger"
          pending={pending}
          onClick={() =>
            start(async () => {
              const result = await deleteChannelAction(orgSlug, { channelId });
              if (!result.ok) return setError(result.error);
              router.push(paths.notifications(orgSlug));
              router.refresh();
            })
          }
        >
          Delete channel
        </Button>
      </div>
    </div>
  );
}
