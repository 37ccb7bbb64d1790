import { VERDICT_LABELS, type GuardRuleCheck } from '../guard-decision';
import type { OtaJobGuardDto } from '../guard-queries';
import { LocalTime } from './local-time';

const share = (s: number | null) => (s === null ? '–' : `${s.toFixed(1)} %`);

function SharesTable({ rules, caption }: { rules: GuardRuleCheck[]; caption: string }) {
  return (
    <table className="w-full text-left text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="text-xs text-ink-muted">
        <tr>
          <th scope="col" className="py-1 pr-3 font-medium">Rule</th>
          <th scope="col" className="py-1 pr-3 font-medium">Updated devices alerting</th>
          <th scope="col" className="py-1 pr-3 font-medium">Waiting devices alerting</th>
          <th scope="col" className="py-1 font-medium">Verdict</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-line">
        {rules.map((r) => (
          <tr key={r.ruleId}>
            <th scope="row" className="py-1.5 pr-3 font-medium text-ink">{r.ruleName}</th>
            <td className="py-1.5 pr-3 tabular-nums">
              {share(r.treatedShare)} <span className="text-ink-muted">({r.treated.alerted} of {r.treated.devices})</span>
            </td>
            <td className="py-1.5 pr-3 tabular-nums">
              {share(r.waitingShare)} <span className="text-ink-muted">({r.waiting.alerted} of {r.waiting.devices})</span>
            </td>
            <td className="py-1.5 text-ink-muted">
              {VERDICT_LABELS[r.reason]}
              {r.z !== null ? ` (z = ${r.z.toFixed(2)})` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The job's health guard: its rules and parameters, the shares at the last check, and why it tripped. */
export function JobGuard({ guard }: { guard: OtaJobGuardDto }) {
  return (
    <div className="space-y-4" data-testid="job-guard">
      {guard.trippedAt && guard.trip ? (
        <div role="status" className="space-y-1 rounded-md border border-danger-200 bg-danger-50 px-3 py-2 text-sm text-danger-800 dark:border-danger-800 dark:bg-danger-950 dark:text-danger-200">
          <p className="font-medium">
            The guard stopped the rollout <LocalTime iso={guard.trippedAt} className="font-normal" />: queued devices will not get the update; running ones finish.
          </p>
          <ul className="list-disc pl-5">
            {guard.trip.rules.map((r) => (
              <li key={r.ruleId}>{r.text}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {guard.tripError ? (
        <p role="alert" className="rounded-md border border-warning-200 bg-warning-50 px-3 py-2 text-sm text-warning-800 dark:border-warning-800 dark:bg-warning-950 dark:text-warning-200">
          The guard tripped but could not cancel the job ({guard.tripError}); it tries again after the next alert evaluation.
        </p>
      ) : null}
      <dl className="grid gap-2 text-sm sm:grid-cols-[9rem_1fr]">
        <dt className="text-ink-muted">Rules</dt>
        <dd>
          <ul className="space-y-0.5">
            {guard.rules.map((r) => (
              <li key={r.id}>
                {r.name ?? <span className="text-ink-muted">a deleted rule</span>}
                {r.condition ? <span className="text-ink-muted"> — {r.condition}</span> : null}
              </li>
            ))}
          </ul>
        </dd>
        <dt className="text-ink-muted">Stops when</dt>
        <dd>
          the share of updated devices alerting is at least {guard.marginPercent} points above the waiting devices’ share, at {Math.round(guard.confidence * 100)} %
          confidence, once {guard.minTreated} or more were updated
        </dd>
      </dl>
      {guard.lastCheck ? (
        <div className="space-y-1">
          <p className="text-xs text-ink-muted">
            Current shares, checked <LocalTime iso={guard.lastCheckedAt ?? guard.lastCheck.at} /> (updated: in progress or succeeded; waiting: queued)
          </p>
          <SharesTable rules={guard.lastCheck.rules} caption="Guard rule shares at the last check" />
        </div>
      ) : (
        <p className="text-sm text-ink-muted">Not checked yet: the guard looks after each alert evaluation (at least once a minute).</p>
      )}
    </div>
  );
}
