'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';

/**
 * A webhook's signing secret, right after it was made. It lives only in this component's state:
 * the server never returns it again, so leaving or reloading the page loses it for good.
 */
export function SigningSecretNotice({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <div
      role="region"
      aria-label="Signing secret"
      data-testid="signing-secret-notice"
      className="space-y-3 rounded-md border border-warning-200 bg-warning-50 p-4 text-sm text-warning-900 dark:border-warning-800 dark:bg-warning-950 dark:text-warning-100"
    >
      <p className="font-semibold">Copy the signing secret now: it will not be shown again.</p>
      <p>
        Your receiver verifies the <code>Fleetline-Signature</code> header with it. Store it where your receiver reads its secrets; if it is lost,
        rotate it and update the receiver.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="signing-secret" className="min-w-0 break-all rounded bg-surface px-2 py-1 font-mono text-xs text-ink">
          {secret}
        </code>
        <Button
          type="button"
          size="sm"
          variant="secondary"
          // Focus lands here when the secret appears: copying it is the next thing to do.
          autoFocus
          onClick={async () => {
            const done = await navigator.clipboard?.writeText(secret).then(() => true, () => false);
            setCopied(done ?? false);
          }}
        >
          Copy secret
        </Button>
        <span aria-live="polite" className="text-xs">
          {copied === true ? 'Copied.' : copied === false ? 'Copying failed: select the text and copy it.' : ''}
        </span>
      </div>
      <div className="flex justify-end">
        <Button type="button" size="sm" onClick={onDone}>
          I have stored it
        </Button>
      </div>
    </div>
  );
}
