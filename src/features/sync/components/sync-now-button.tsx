'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { syncNowAction } from '../actions';
import { syncKeys } from './use-sync-status';

const MESSAGES = { queued: 'Sync queued.', already_queued: 'A sync is already queued.', running: 'A sync is already running.' } as const;

/** Queues a sync of one integration (operators and up; the action re-checks the role). */
export function SyncNowButton({ orgSlug, integrationId, disabledReason }: { orgSlug: string; integrationId: string; disabledReason?: string | null }) {
  const queryClient = useQueryClient();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      {message ? (
        <span role={message.tone === 'error' ? 'alert' : 'status'} className={`text-xs ${message.tone === 'error' ? 'text-danger-600' : 'text-ink-muted'}`}>
          {message.text}
        </span>
      ) : null}
      <Button
        size="sm"
        variant="secondary"
        pending={pending}
        disabled={!!disabledReason}
        title={disabledReason ?? undefined}
        onClick={() =>
          startTransition(async () => {
            const result = await syncNowAction(orgSlug, { integrationId });
            setMessage(result.ok ? { tone: 'ok', text: MESSAGES[result.data.state] } : { tone: 'error', text: result.error.message });
            await queryClient.invalidateQueries({ queryKey: syncKeys.all });
          })
        }
      >
        Sync now
      </Button>
    </span>
  );
}
