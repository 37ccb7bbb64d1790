'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input } from '@/components/ui/field';
import type { ActionError } from '@/lib/errors';
import { cancelOtaJobAction } from '../actions';
import { otaKeys } from './use-ota';

/**
 * Cancel a job, with the `force` choice explained: without it AWS stops only QUEUED executions and
 * lets IN_PROGRESS ones finish; with it, in-progress updates are canceled too, possibly mid-flash.
 */
export function CancelJobDialog({ orgSlug, otaJobId, jobId, inProgress, forceOnly }: {
  orgSlug: string;
  otaJobId: string;
  jobId: string;
  inProgress: number;
  /** The job is already canceled without force: what is left is force-canceling running executions. */
  forceOnly: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [force, setForce] = useState(forceOnly);
  const [reasonCode, setReasonCode] = useState('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<ActionError | null>(null);
  const [pending, start] = useTransition();
  const queryClient = useQueryClient();

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  function submit() {
    setError(null);
    start(async () => {
      const result = await cancelOtaJobAction(orgSlug, { otaJobId, force: forceOnly || force, reasonCode, comment });
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: otaKeys.detail(orgSlug, otaJobId) });
      await queryClient.invalidateQueries({ queryKey: ['ota', orgSlug, 'job', otaJobId, 'executions'] });
    });
  }

  const label = forceOnly ? 'Force-cancel running executions…' : 'Cancel job…';
  return (
    <>
      <Button variant="danger" onClick={() => { setForce(forceOnly); setError(null); setOpen(true); }}>
        {label}
      </Button>
      <dialog
        ref={dialog}
        onClose={() => setOpen(false)}
        aria-labelledby="cancel-job-title"
        className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-lg border border-line bg-surface p-0 text-ink shadow-xl backdrop:bg-black/40"
      >
        <form
          method="dialog"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
          className="space-y-4 p-5"
        >
          <h2 id="cancel-job-title" className="text-lg font-semibold">
            {forceOnly ? `Force-cancel ${jobId}?` : `Cancel ${jobId}?`}
          </h2>
          <div className="space-y-2 text-sm text-ink-muted">
            <p>
              Without force, only <strong className="text-ink">QUEUED</strong> executions are canceled; <strong className="text-ink">IN_PROGRESS</strong> ones
              finish and report their result{inProgress > 0 ? ` (${inProgress} running now)` : ''}.
            </p>
            <p>Force also cancels IN_PROGRESS executions — devices may be left mid-update.</p>
          </div>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              className="mt-0.5 size-4 accent-danger-600"
              checked={forceOnly || force}
              disabled={forceOnly}
              onChange={(e) => setForce(e.target.checked)}
              aria-describedby="force-hint"
            />
            <span>
              <span className="font-medium text-ink">Force: also cancel executions in progress</span>
              <span id="force-hint" className="block text-ink-muted">
                {forceOnly || force ? 'Devices updating right now are told to stop; check them afterwards.' : 'Recommended off: running updates finish safely.'}
              </span>
            </span>
          </label>
          <Field id="cancel-reason" label="Reason code (optional)" hint="Upper-case letters, digits and _, e.g. BAD_FIRMWARE." errors={error?.fieldErrors?.reasonCode}>
            <Input id="cancel-reason" value={reasonCode} onChange={(e) => setReasonCode(e.target.value)} autoComplete="off" invalid={!!error?.fieldErrors?.reasonCode} />
          </Field>
          <Field id="cancel-comment" label="Comment (optional)" errors={error?.fieldErrors?.comment}>
            <textarea
              id="cancel-comment"
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              rows={2}
              maxLength={2028}
              className="block w-full rounded-md border border-line bg-surface px-3 py-2 text-sm text-ink shadow-xs focus:border-brand-500 focus:outline-2 focus:outline-brand-500/30"
            />
          </Field>
          {error && !error.fieldErrors ? <FormError message={error.message} /> : null}
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)} disabled={pending}>
              Keep running
            </Button>
            <Button type="submit" variant="danger" pending={pending}>
              {forceOnly || force ? 'Force-cancel' : 'Cancel queued executions'}
            </Button>
          </div>
        </form>
      </dialog>
    </>
  );
}
