import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { paths } from '@/lib/paths';
import { ALERT_SEVERITIES } from '../events';
import { alertListQuery, type AlertListParams } from '../list-params';
import { SEVERITY_LABELS, STATE_LABELS } from './alert-badges';

const select = 'block rounded-md border border-line bg-surface px-2.5 py-1.5 text-sm text-ink';
const label = 'mb-1 block text-xs font-medium text-ink-muted';

/** The filters as a plain GET form: they live in the URL, work without script and by keyboard. */
export function AlertFilters({ orgSlug, params, rules, deviceLabel }: {
  orgSlug: string;
  params: AlertListParams;
  rules: { id: string; name: string }[];
  deviceLabel: string | null;
}) {
  const state = params.state?.join(',') ?? '';
  return (
    <form method="get" action={paths.alerts(orgSlug)} aria-label="Filter alerts" className="flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="alert-state" className={label}>
          State
        </label>
        <select id="alert-state" name="state" defaultValue={state} className={select}>
          <option value="">All</option>
          <option value="firing,acknowledged">Open</option>
          {(['firing', 'acknowledged', 'resolved'] as const).map((s) => (
            <option key={s} value={s}>
              {STATE_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="alert-severity" className={label}>
          Severity
        </label>
        <select id="alert-severity" name="severity" defaultValue={params.severity?.join(',') ?? ''} className={select}>
          <option value="">All</option>
          {ALERT_SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="alert-rule" className={label}>
          Rule
        </label>
        <select id="alert-rule" name="rule" defaultValue={params.ruleId ?? ''} className={`${select} max-w-64`}>
          <option value="">All rules</option>
          {rules.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </div>
      {params.deviceId ? (
        <div className="text-sm">
          <input type="hidden" name="device" value={params.deviceId} />
          <span className={label}>Device</span>
          <span className="inline-flex items-center gap-2 rounded-full border border-line px-3 py-1">
            {deviceLabel ?? 'One device'}
            <Link href={paths.alerts(orgSlug, alertListQuery({ ...params, deviceId: undefined, cursor: undefined }))} aria-label="Remove the device filter" className="text-ink-muted hover:text-ink">
              ×
            </Link>
          </span>
        </div>
      ) : null}
      <Button type="submit" variant="secondary">
        Apply
      </Button>
    </form>
  );
}
