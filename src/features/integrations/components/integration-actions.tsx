'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionResult } from '@/lib/errors';
import { pauseIntegrationAction, resumeIntegrationAction, testIntegrationAction } from '../actions';
import type { PreflightReport } from '../capabilities';

function testMessage(report: PreflightReport): { tone: 'ok' | 'error'; text: string } {
  if (report.authFailure) return { tone: 'error', text: `${report.authFailure.message} (${report.authFailure.error})` };
  const failed = report.checks.filter((c) => c.status === 'failed').length;
  if (!report.canSave) return { tone: 'error', text: 'Connected, but a required permission is missing. See Permissions below.' };
  return { tone: 'ok', text: failed === 0 ? 'Connection OK: every tested permission is granted.' : `Connection OK; ${failed} optional permission${failed === 1 ? '' : 's'} missing.` };
}

/** Test connection and pause/resume, for admins. */
export function IntegrationActions({ orgSlug, integrationId, paused }: { orgSlug: string; integrationId: string; paused: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [running, setRunning] = useState<'test' | 'pause' | null>(null);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);

  function run<T>(kind: 'test' | 'pause', call: () => Promise<ActionResult<T>>, describe: (data: T) => { tone: 'ok' | 'error'; text: string } | null) {
    setRunning(kind);
    setMessage(null);
    startTransition(async () => {
      const result = await call();
      setMessage(result.ok ? describe(result.data) : { tone: 'error', text: result.error.message });
      setRunning(null);
      router.refresh();
    });
  }

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap gap-2">
        <Button
          variant="secondary"
          pending={pending && running === 'pause'}
          disabled={pending}
          onClick={() =>
            run('pause', () => (paused ? resumeIntegrationAction : pauseIntegrationAction)(orgSlug, { integrationId }), () => null)
          }
        >
          {paused ? 'Resume syncing' : 'Pause syncing'}
        </Button>
        <Button pending={pending && running === 'test'} disabled={pending} onClick={() => run('test', () => testIntegrationAction(orgSlug, { integrationId }), testMessage)}>
          {pending && running === 'test' ? 'Testing…' : 'Test connection'}
        </Button>
      </div>
      <p role="status" aria-live="polite" className={message?.tone === 'error' ? 'max-w-md text-right text-sm text-danger-700 dark:text-danger-300' : 'max-w-md text-right text-sm text-success-700 dark:text-success-300'}>
        {message?.text}
      </p>
    </div>
  );
}
