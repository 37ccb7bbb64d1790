import type { ReactNode } from 'react';
import type { OtaJobDetailDto } from '../queries';
import { abortLabel, retryLabel, rolloutLabel, timeoutLabel } from './format';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-0.5 py-2 sm:grid-cols-[9rem_1fr] sm:gap-4">
      <dt className="text-sm text-ink-muted">{label}</dt>
      <dd className="min-w-0 break-words text-sm text-ink">{children}</dd>
    </div>
  );
}

/** Targets, rollout, abort, timeout and retry settings as AWS reports them. */
export function JobConfig({ job }: { job: OtaJobDetailDto }) {
  return (
    <dl className="-my-2 divide-y divide-line" data-testid="job-config">
      <Row label="Targets">
        <ul className="space-y-0.5">
          {job.targets.map((t) => (
            <li key={`${t.kind}:${t.name}`}>
              <span className="text-ink-muted">{t.kind === 'group' ? 'Thing group' : 'Thing'}</span> <span className="font-mono text-xs">{t.name}</span>
            </li>
          ))}
        </ul>
      </Row>
      <Row label="Selection">
        {job.targetSelection === 'CONTINUOUS' ? 'Continuous: things added to the groups later also get the job' : 'Snapshot: the things in the targets when the job was created'}
      </Row>
      <Row label="Rollout">{rolloutLabel(job.rolloutConfig)}</Row>
      <Row label="Abort">{abortLabel(job.abortConfig)}</Row>
      <Row label="Timeout">{timeoutLabel(job.timeoutConfig)}</Row>
      <Row label="Retries">{retryLabel(job.retryConfig)}</Row>
      <Row label="AWS account">{job.integrationName}</Row>
      {job.jobArn ? (
        <Row label="Job ARN">
          <span className="break-all font-mono text-xs">{job.jobArn}</span>
        </Row>
      ) : null}
    </dl>
  );
}
