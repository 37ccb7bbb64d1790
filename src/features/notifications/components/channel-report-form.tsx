'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, FormError, Select } from '@/components/ui/field';
import { useActionForm } from '@/lib/use-action-form';
import { setChannelReportAction } from '../actions';
import type { ChannelDto } from '../queries';
import { channelReportSchema, REPORT_FREQUENCIES, type ReportFrequency } from '../schemas';
import { REPORT_FREQUENCY_LABELS, WEEKDAY_LABELS } from './labels';
import { validateThen } from './validate';

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/**
 * The channel's scheduled fleet report (admins): off, daily or weekly, at an hour (and weekday) in
 * UTC. The report covers the day or week that ends then, and goes out once per period.
 */
export function ChannelReportForm({ orgSlug, channel }: { orgSlug: string; channel: ChannelDto }) {
  const router = useRouter();
  const [saved, setSaved] = useState(false);
  const [frequency, setFrequency] = useState<ReportFrequency>(channel.report.frequency);
  const form = useActionForm(
    (values) => {
      const input = {
        channelId: channel.id,
        frequency: String(values.frequency ?? 'off'),
        hour: Number(values.hour ?? channel.report.hour),
        weekday: Number(values.weekday ?? channel.report.weekday),
      };
      return validateThen(channelReportSchema, input, () => setChannelReportAction(orgSlug, channelReportSchema.parse(input)));
    },
    {
      onSuccess: () => {
        setSaved(true);
        router.refresh();
      },
    },
  );
  const errors = form.fieldErrors;
  return (
    <form onSubmit={(e) => { setSaved(false); form.onSubmit(e); }} noValidate className="space-y-4" aria-label="Scheduled report">
      {form.error && !form.error.fieldErrors ? <FormError message={form.error.message} /> : null}
      <div className="grid gap-4 sm:grid-cols-3">
        <Field id="report-frequency" label="Frequency" errors={errors('frequency')}>
          <Select id="report-frequency" name="frequency" value={frequency} onChange={(e) => setFrequency(e.target.value as ReportFrequency)}>
            {REPORT_FREQUENCIES.map((f) => (
              <option key={f} value={f}>{REPORT_FREQUENCY_LABELS[f]}</option>
            ))}
          </Select>
        </Field>
        <Field id="report-hour" label="Hour (UTC)" errors={errors('hour')}>
          <Select id="report-hour" name="hour" defaultValue={String(channel.report.hour)} disabled={frequency === 'off'}>
            {HOURS.map((h) => (
              <option key={h} value={h}>{`${String(h).padStart(2, '0')}:00`}</option>
            ))}
          </Select>
        </Field>
        <Field id="report-weekday" label="Weekday" errors={errors('weekday')}>
          <Select id="report-weekday" name="weekday" defaultValue={String(channel.report.weekday)} disabled={frequency !== 'weekly'}>
            {Object.entries(WEEKDAY_LABELS).map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </Select>
        </Field>
      </div>
      <p className="text-sm text-ink-muted">
        Fleet health, alerts opened and resolved, firmware spread and OTA progress, with the overview&apos;s numbers. A report covers the day or week that ends at the chosen time and is sent once; a change applies from the next period.
      </p>
      <div className="flex items-center justify-end gap-3">
        <p role="status" className="text-sm text-success-700 dark:text-success-300">{saved && !form.pending ? 'Saved.' : ''}</p>
        <Button type="submit" pending={form.pending}>Save report</Button>
      </div>
    </form>
  );
}
