'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, useTransition, type FormEvent, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Input, Select } from '@/components/ui/field';
import { DEVICE_STATUSES } from '@/features/devices/filters';
import type { ChannelDto } from '@/features/notifications/queries';
import { paths } from '@/lib/paths';
import { createAlertRuleAction, deleteAlertRuleAction, updateAlertRuleAction } from '../actions';
import { ALERT_SEVERITIES } from '../events';
import { COMPARISON_SYMBOLS, COMPARISONS, TELEMETRY_FRESH_MINUTES } from '../schemas';
import { KIND_LABELS, SEVERITY_LABELS } from './alert-badges';
import { EMPTY_RULE_VALUES, valuesToInput, type FieldIssues, type RuleFormValues } from './rule-form-values';


const fieldset = 'space-y-4 rounded-lg border border-line bg-surface p-5 shadow-xs';
const legend = 'px-1 text-sm font-semibold text-ink';
const grid = 'grid gap-4 sm:grid-cols-2 lg:grid-cols-4';

/** Creates or edits a rule; checked with the service's schema before sending, the action's errors shown per field. */
export function RuleForm({ orgSlug, ruleId, initial, channels }: {
  orgSlug: string;
  ruleId?: string;
  initial?: RuleFormValues;
  channels: ChannelDto[];
}) {
  const router = useRouter();
  const [v, setV] = useState<RuleFormValues>(initial ?? EMPTY_RULE_VALUES);
  const [issues, setIssues] = useState<FieldIssues>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const set = <K extends keyof RuleFormValues>(key: K, value: RuleFormValues[K]) => setV((prev) => ({ ...prev, [key]: value }));
  const err = (key: string) => issues[key] ?? Object.entries(issues).find(([k]) => k.startsWith(`${key}.`))?.[1];
  const id = (key: string) => `rule-${key.replaceAll('.', '-')}`;
  // An edited field's issue goes away at once; the rest stay until the next submit.
  const clear = (issue: string) =>
    setIssues((prev) => Object.fromEntries(Object.entries(prev).filter(([k]) => k !== issue && !k.startsWith(`${issue}.`))));

  function text(key: keyof RuleFormValues, label: string, options: { issue?: string; hint?: ReactNode; type?: string; step?: string; placeholder?: string } = {}) {
    const issue = options.issue ?? key;
    return (
      <Field id={id(issue)} label={label} hint={options.hint} errors={err(issue)}>
        <Input
          id={id(issue)}
          type={options.type ?? 'text'}
          inputMode={options.type === 'number' ? 'decimal' : undefined}
          step={options.step}
          placeholder={options.placeholder}
          value={v[key] as string}
          invalid={Boolean(err(issue))}
          onChange={(e) => {
            set(key, e.target.value as never);
            clear(issue);
          }}
        />
      </Field>
    );
  }

  function choice<K extends keyof RuleFormValues>(key: K, label: string, options: Array<[string, string]>, issue: string = key, hint?: ReactNode) {
    return (
      <Field id={id(issue)} label={label} hint={hint} errors={err(issue)}>
        <Select id={id(issue)} value={v[key] as string} invalid={Boolean(err(issue))} onChange={(e) => {
            set(key, e.target.value as RuleFormValues[K]);
            clear(issue);
          }}>
          {options.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </Select>
      </Field>
    );
  }

  const ops = COMPARISONS.map((op) => [op, COMPARISON_SYMBOLS[op]] as [string, string]);
  const metricChoices: Array<[string, string]> = [['battery', 'Battery (%)'], ['rssi', 'RSSI (dBm)'], ['temperature', 'Temperature'], ['path', 'Reported path…']];
  // Live-data metrics are compared by thresholds; the anomaly detector reads shadow metrics only.
  const metricFields = (issuePrefix: string, telemetry = true) => (
    <>
      {choice('metric', 'Metric', telemetry ? [...metricChoices, ['telemetry', 'Live-data metric…']] : metricChoices, `${issuePrefix}.metric`)}
      {v.metric === 'telemetry' && telemetry ? (
        text('telemetryMetric', 'Live-data metric', {
          issue: `${issuePrefix}.metric.telemetry`,
          placeholder: 'temperature',
          hint: `A metric devices send through live data; its latest point of the last ${TELEMETRY_FRESH_MINUTES} minutes is compared.`,
        })
      ) : null}
      {v.metric === 'path' ? (
        <>
          {text('path', 'Reported path', { issue: `${issuePrefix}.metric.path`, placeholder: 'sensors.t1', hint: 'Under reported, dots between keys.' })}
          {text('shadow', 'Named shadow', { issue: `${issuePrefix}.metric.shadow`, hint: 'Empty for the classic shadow.' })}
        </>
      ) : null}
    </>
  );

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    const checked = valuesToInput(v);
    if (!checked.ok) {
      setIssues(checked.issues);
      setFormError('Please correct the highlighted fields.');
      return;
    }
    setIssues({});
    startTransition(async () => {
      const result = ruleId ? await updateAlertRuleAction(orgSlug, { ...checked.input, ruleId }) : await createAlertRuleAction(orgSlug, checked.input);
      if (!result.ok) {
        setIssues(Object.fromEntries(Object.entries(result.error.fieldErrors ?? {}).filter((e): e is [string, string[]] => Boolean(e[1]?.length))));
        setFormError(result.error.message);
        return;
      }
      router.push(paths.alertRules(orgSlug));
      router.refresh();
    });
  }

  function onDelete() {
    if (!ruleId || !window.confirm('Delete this rule and its alerts?')) return;
    startTransition(async () => {
      const result = await deleteAlertRuleAction(orgSlug, { ruleId });
      if (!result.ok) return setFormError(result.error.message);
      router.push(paths.alertRules(orgSlug));
      router.refresh();
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate className="max-w-5xl space-y-6" aria-label={ruleId ? 'Edit alert rule' : 'New alert rule'}>
      <FormError message={formError} />
      <fieldset className={fieldset}>
        <legend className={legend}>Rule</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          {text('name', 'Name')}
          {choice('severity', 'Severity', ALERT_SEVERITIES.map((s) => [s, SEVERITY_LABELS[s]]))}
        </div>
        {text('description', 'Description (optional)')}
        <label className="flex items-center gap-2 text-sm text-ink">
          <input type="checkbox" checked={v.enabled} onChange={(e) => set('enabled', e.target.checked)} className="size-4 accent-brand-600" />
          Enabled
        </label>
      </fieldset>

      <fieldset className={fieldset}>
        <legend className={legend}>Condition</legend>
        <div className={grid}>{choice('kind', 'Kind', Object.entries(KIND_LABELS) as Array<[string, string]>, 'condition.kind')}</div>
        {v.kind === 'offline' ? (
          <div className={grid}>
            {text('minutes', 'Offline for more than (minutes)', { issue: 'condition.minutes', type: 'number', step: '1' })}
            <label className="flex items-center gap-2 self-end pb-2 text-sm text-ink">
              <input type="checkbox" checked={v.includeStale} onChange={(e) => set('includeStale', e.target.checked)} className="size-4 accent-brand-600" />
              Also when connected but silent (stale)
            </label>
          </div>
        ) : null}
        {v.kind === 'threshold' ? (
          <div className={grid}>
            {metricFields('condition')}
            {choice('op', 'Comparison', ops, 'condition.op')}
            {text('value', 'Alert level', { issue: 'condition.value', type: 'number' })}
            {text('clearValue', 'Clear level (optional)', { issue: 'condition.clearValue', type: 'number', hint: 'Resolves only once the value is back here.' })}
            {text('forMinutes', 'Held for (minutes)', { issue: 'condition.forSeconds', type: 'number' })}
          </div>
        ) : null}
        {v.kind === 'fleet_share' ? (
          <div className={grid}>
            {choice('matchType', 'Devices that are', [['offline', 'Offline'], ['stale', 'Stale'], ['threshold', 'Matching a threshold']], 'condition.match.type')}
            {v.matchType === 'offline' ? text('matchMinutes', 'Offline for at least (minutes)', { issue: 'condition.match.minutes', type: 'number' }) : null}
            {v.matchType === 'threshold' ? (
              <>
                {metricFields('condition.match')}
                {choice('op', 'Comparison', ops, 'condition.match.op')}
                {text('value', 'Value', { issue: 'condition.match.value', type: 'number' })}
              </>
            ) : null}
            {choice('measure', 'Measure', [['share', 'Share of the filter (%)'], ['count', 'Number of devices']], 'condition.measure')}
            {choice('fleetOp', 'Comparison', ops, 'condition.op')}
            {text('level', v.measure === 'share' ? 'Alert level (%)' : 'Alert level (devices)', { issue: 'condition.level', type: 'number' })}
            {text('clearLevel', 'Clear level (optional)', { issue: 'condition.clearLevel', type: 'number' })}
            {text('forMinutes', 'Held for (minutes)', { issue: 'condition.forSeconds', type: 'number' })}
          </div>
        ) : null}
        {v.kind === 'anomaly' ? (
          <div className={grid}>
            {metricFields('condition', false)}
            {choice('sensitivity', 'Sensitivity', [['low', 'Low (fewer alerts)'], ['medium', 'Medium'], ['high', 'High (more alerts)']], 'condition.sensitivity',
              'How far outside its usual band a value must be: 7, 5 or 4 robust deviations for a single reading, less for a lasting shift.')}
            {text('minHistoryHours', 'Minimum history (hours)', { issue: 'condition.minHistoryHours', type: 'number', hint: 'A device fires only once it has reported this metric for this long.' })}
            {choice('peers', 'Compare with peers', [['off', 'No, only its own history'], ['group', 'Same thing group'], ['thing_type', 'Same thing type']], 'condition.peers',
              'Also fires when a device stands out from at least 5 devices of this rule in the same group or type.')}
            {text('forMinutes', 'Held for (minutes)', { issue: 'condition.forSeconds', type: 'number' })}
          </div>
        ) : null}
        {v.kind === 'anomaly' ? (
          <p className="text-sm text-ink-muted">
            Each device learns its usual band from its own last week (median and spread, by hour of day once it has three days), from live data when
            it sends this metric, else from the shadow history. Fires on a spike, a lasting shift or drift, or a value stuck far longer than usual.
          </p>
        ) : null}
        {v.kind === 'ota_failure' ? (
          <div className={grid}>{text('failureSharePercent', 'Failure share above (%)', { issue: 'condition.failureSharePercent', type: 'number', hint: 'An aborted job fires too.' })}</div>
        ) : null}
        {v.kind === 'sync_failure' ? <div className={grid}>{text('consecutive', 'Failed syncs in a row', { issue: 'condition.consecutive', type: 'number' })}</div> : null}
        {v.kind === 'command_timeout' ? <p className="text-sm text-ink-muted">Fires for each device whose command timed out.</p> : null}
        {issues.condition && !Object.keys(issues).some((k) => k.startsWith('condition.')) ? <FormError message={issues.condition[0]} /> : null}
      </fieldset>

      <fieldset className={fieldset}>
        <legend className={legend}>Devices</legend>
        <p className="text-sm text-ink-muted">The device list’s filter; empty fields match every device. Fleet-wide kinds (OTA, sync) ignore it.</p>
        <div className={grid}>
          {text('q', 'Search', { issue: 'filter.q', placeholder: 'Name or attribute' })}
          {text('group', 'Thing group', { issue: 'filter.group', hint: 'Includes its sub-groups.' })}
          {text('type', 'Thing type', { issue: 'filter.type' })}
          {text('firmware', 'Firmware', { issue: 'filter.firmware' })}
        </div>
        {text('attr', 'Attributes', { issue: 'filter.attr', placeholder: 'site=lab, tier=gold' })}
        <div role="group" aria-labelledby="rule-status-label" className="space-y-1.5">
          <span id="rule-status-label" className="block text-sm font-medium text-ink">
            Status
          </span>
          <div className="flex flex-wrap gap-4">
            {DEVICE_STATUSES.map((s) => (
              <label key={s} className="flex items-center gap-2 text-sm text-ink">
                <input
                  type="checkbox"
                  checked={v.status.includes(s)}
                  onChange={(e) => set('status', e.target.checked ? [...v.status, s] : v.status.filter((x) => x !== s))}
                  className="size-4 accent-brand-600"
                />
                {s}
              </label>
            ))}
          </div>
        </div>
      </fieldset>

      <fieldset className={fieldset}>
        <legend className={legend}>Notify</legend>
        {channels.length === 0 ? (
          <p className="text-sm text-ink-muted" data-testid="no-channels">
            No notification channels yet: alerts show in the app only.{' '}
            <Link href={paths.notificationChannels(orgSlug)} className="font-medium text-brand-700 hover:underline dark:text-brand-300">
              Set up e-mail or webhook channels
            </Link>
            .
          </p>
        ) : (
          <div className="flex flex-wrap gap-4">
            {channels.map((c) => (
              <label key={c.id} className="flex items-center gap-2 text-sm text-ink">
                <input
                  type="checkbox"
                  checked={v.channelIds.includes(c.id)}
                  onChange={(e) => set('channelIds', e.target.checked ? [...v.channelIds, c.id] : v.channelIds.filter((x) => x !== c.id))}
                  className="size-4 accent-brand-600"
                />
                {c.name} <span className="text-ink-muted">({c.kind}{c.enabled ? '' : ', disabled'})</span>
              </label>
            ))}
          </div>
        )}
        {err('channelIds') ? <FormError message={err('channelIds')![0]} /> : null}
      </fieldset>

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" pending={pending}>
          {ruleId ? 'Save rule' : 'Create rule'}
        </Button>
        <Link href={paths.alertRules(orgSlug)} className="text-sm font-medium text-ink-muted hover:text-ink">
          Cancel
        </Link>
        {ruleId ? (
          <Button type="button" variant="danger" className="ml-auto" onClick={onDelete} disabled={pending}>
            Delete rule
          </Button>
        ) : null}
      </div>
    </form>
  );
}
