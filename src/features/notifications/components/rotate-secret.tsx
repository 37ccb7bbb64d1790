'use client';

import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import type { ActionError } from '@/lib/errors';
import { updateChannelAction } from '../actions';
import { SigningSecretNotice } from './signing-secret-notice';

/** Replaces a webhook's signing secret; the old one stops working at once, the new one is shown once. */
export function RotateSecret({ orgSlug, channelId }: { orgSlug: string; channelId: string }) {
  const [confirming, setConfirming] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<ActionError | null>(null);
  const [pending, start] = useTransition();

  if (secret) return <SigningSecretNotice secret={secret} onDone={() => setSecret(null)} />;
  if (!confirming) {
    return (
      <Button type="button" variant="secondary" onClick={() => setConfirming(true)}>
        Rotate signing secret…
      </Button>
    );
  }
  return (
    <div
      className="space-y-3 rounded-md border border-warning-200 bg-warning-50 p-4 text-sm dark:border-warning-800 dark:bg-warning-950"
      role="group"
      aria-label="Confirm rotation"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !pending) {
          setConfirming(false);
          setError(null);
        }
      }}
    >
      <p>Deliveries are signed with the new secret from now on; a receiver still checking the old one will refuse them until you update it.</p>
      {error ? <FormError message={error.message} /> : null}
      <div className="flex justify-end gap-3">
        <Button type="button" variant="secondary" autoFocus onClick={() => { setConfirming(false); setError(null); }}>
          Cancel
        </Button>
        <Button
          type="button"
          pending={pending}
          onClick={() =>
            start(async () => {
              const result = await updateChannelAction(orgSlug, { channelId, rotateSecret: true });
              if (result.ok && result.data.signingSecret) {
                setSecret(result.data.signingSecret);
                setConfirming(false);
              } else if (!result.ok) setError(result.error);
            })
          }
        >
          Rotate secret
        </Button>
      </div>
    </div>
  );
}
