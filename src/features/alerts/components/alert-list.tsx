'use client';

import Link from 'next/link';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { LocalTime } from '@/features/ota/components/local-time';
import { relativeTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { acknowledgeAlertAction, snoozeAlertDeviceAction } from '../actions';
import type { AlertDto } from '../queries';
import { AlertStateBadge, SeverityBadge } from './alert-badges';
import { useAlertAction } from './use-alert-action';

const SNOOZES = [
  { label: '1 hour', hours: 1 },
  { label: '1 day', hours: 24 },
  { label: '1 week', hours: 24 * 7 },
] as const;

const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString());

/** Where an alert points: its device, or the OTA job or integration it is about. */
function subjectLink(orgSlug: string, alert: AlertDto): { href: string; label: string } | null {
  const details = alert.details as { otaJobId?: string; jobId?: string; integrationId?: string; label?: string };
  if (alert.deviceId) return { href: paths.device(orgSlug, alert.deviceId), label: alert.thingName ?? details.label ?? 'Device' };
  if (details.otaJobId) return { href: paths.otaJob(orgSlug, details.otaJobId), label: `Job ${details.jobId ?? details.label ?? ''}`.trim() };
  if (details.integrationId) return { href: paths.integration(orgSlug, details.integrationId), label: details.label ?? 'Integration' };
  return null;
}

function AlertActions({ orgSlug, alert }: { orgSlug: string; alert: AlertDto }) {
  const { pending, error, run } = useAlertAction();
  const [snooze, setSnooze] = useState('');

  return (
    <div className="flex flex-wrap items-center gap-2">
      {alert.state === 'firing' ? (
        <Button size="sm" variant="secondary" pending={pending} onClick={() => run(() => acknowledgeAlertAction(orgSlug, { alertId: alert.id }))}>
          Acknowledge
        </Button>
      ) : null}
      {alert.deviceId && alert.state !== 'resolved' ? (
        <form
          className="flex items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            const hours = Number(snooze);
            if (!hours) return;
            const until = new Date(Date.now() + hours * 3600_000).toISOString();
            run(() => snoozeAlertDeviceAction(orgSlug, { ruleId: alert.ruleId, deviceId: alert.deviceId!, until }));
            setSnooze('');
          }}
        >
          <label htmlFor={`snooze-${alert.id}`} className="sr-only">
            Snooze this rule for the device
          </label>
          <select
            id={`snooze-${alert.id}`}
            value={snooze}
            onChange={(e) => setSnooze(e.target.value)}
            className="rounded-md border border-line bg-surface px-2 py-1 text-sm text-ink"
          >
            <option value="">Snooze device…</option>
            {SNOOZES.map((s) => (
              <option key={s.hours} value={s.hours}>
                {s.label}
              </option>
            ))}
          </select>
          <Button size="sm" variant="ghost" type="submit" disabled={!snooze || pending}>
            Snooze
          </Button>
        </form>
      ) : null}
      {error ? (
        <p role="alert" className="w-full text-sm text-danger-600 dark:text-danger-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Alerts newest first; operators and up get acknowledge and per-device snooze, viewers read. */
export function AlertList({ orgSlug, alerts, canWrite, now, label = 'Alerts' }: {
  orgSlug: string;
  alerts: AlertDto[];
  canWrite: boolean;
  now: string;
  label?: string;
}) {
  return (
    <ul aria-label={label} className="divide-y divide-line">
      {alerts.map((alert) => {
        const subject = subjectLink(orgSlug, alert);
        const at = alert.resolvedAt ?? alert.firedAt ?? alert.createdAt;
        return (
          <li key={alert.id} className="flex flex-wrap items-start justify-between gap-3 py-3" data-testid="alert-row" data-alert-id={alert.id}>
            <div className="min-w-0 flex-1 space-y-1">
              <div className="flex flex-wrap items-center gap-2">
                <SeverityBadge severity={alert.severity} />
                <AlertStateBadge state={alert.state} flapping={alert.flapping} />
                <Link href={paths.alertRule(orgSlug, alert.ruleId)} className="truncate text-sm font-medium text-ink hover:underline">
                  {alert.ruleName}
                </Link>
              </div>
              <p className="text-sm text-ink">{alert.summary}</p>
              <p className="flex flex-wrap gap-x-3 text-xs text-ink-muted">
                {subject ? (
                  <Link href={subject.href} className="font-medium text-brand-700 hover:underline dark:text-brand-300">
                    {subject.label}
                  </Link>
                ) : null}
                <span title={iso(at)}>
                  {alert.state === 'resolved' ? 'Resolved' : 'Fired'} {relativeTime(iso(at), now)}
                </span>
                {alert.firedAt ? (
                  <span className="hidden sm:inline">
                    since <LocalTime iso={iso(alert.firedAt)} />
                  </span>
                ) : null}
              </p>
            </div>
            {canWrite ? <AlertActions orgSlug={orgSlug} alert={alert} /> : null}
          </li>
        );
      })}
    </ul>
  );
}
