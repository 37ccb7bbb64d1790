import { cn } from '@/lib/cn';
import { CHECKS, type CheckResult } from '../capabilities';

const ICON = {
  ok: { symbol: '✓', className: 'bg-success-100 text-success-700 dark:bg-success-900 dark:text-success-300', text: 'Allowed' },
  failed: { symbol: '✗', className: 'bg-danger-100 text-danger-700 dark:bg-danger-900 dark:text-danger-300', text: 'Refused' },
  skipped: { symbol: '–', className: 'bg-surface-muted text-ink-muted', text: 'Skipped' },
  not_tested: { symbol: '•', className: 'bg-surface-muted text-ink-muted', text: 'Not tested' },
  pending: { symbol: '', className: 'bg-surface-muted text-ink-muted', text: 'Checking…' },
} as const;

/** One ✓/✗ line per permission, with the IAM actions and the AWS error name. */
export function CheckList({ checks, pending = false }: { checks: CheckResult[] | null; pending?: boolean }) {
  return (
    <ul className="divide-y divide-line rounded-md border border-line" aria-label="Permissions" aria-busy={pending || undefined}>
      {CHECKS.map((def) => {
        const result = checks?.find((c) => c.id === def.id);
        const state = pending && def.tested ? 'pending' : (result?.status ?? 'not_tested');
        const icon = ICON[state];
        return (
          <li key={def.id} data-testid={`check-${def.id}`} data-status={state} className="flex gap-3 px-3 py-2.5">
            <span
              aria-hidden
              className={cn('mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full text-xs font-bold', icon.className)}
            >
              {state === 'pending' ? <span className="size-3 animate-spin rounded-full border-2 border-current border-t-transparent" /> : icon.symbol}
            </span>
            <div className="min-w-0 flex-1">
              <p className="flex flex-wrap items-baseline gap-x-2 text-sm text-ink">
                <span className="font-medium">{def.label}</span>
                <span className="sr-only">: {icon.text}.</span>
                {result?.status === 'failed' && result.error ? (
                  <code className="rounded bg-danger-50 px-1 text-xs text-danger-700 dark:bg-danger-950 dark:text-danger-300">{result.error}</code>
                ) : null}
                {def.required ? <span className="text-xs text-ink-muted">required</span> : null}
              </p>
              <p className="break-words font-mono text-[11px] text-ink-faint">
                {def.actions.join(' · ')}
              </p>
              {state === 'failed' ? (
                <p className="mt-0.5 text-xs text-danger-700 dark:text-danger-300">Missing. Needed for: {def.neededFor}.</p>
              ) : state === 'not_tested' && !def.tested ? (
                <p className="mt-0.5 text-xs text-ink-muted">Needed for: {def.neededFor}. Not called by the test, because it would change your account.</p>
              ) : result?.detail ? (
                <p className="mt-0.5 text-xs text-ink-muted">{result.detail}</p>
              ) : null}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
