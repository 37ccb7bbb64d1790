import Link from 'next/link';
import type { ReactNode } from 'react';
import { Badge } from '@/components/ui/badge';
import { relativeTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import type { DeviceDetailDto } from '../queries';
import { DeviceStatusBadge } from '@/features/devices/components/device-status-badge';

const REASONS: Record<string, string> = {
  CONNECTION_LOST: 'connection lost',
  MQTT_KEEP_ALIVE_TIMEOUT: 'keep-alive timeout',
  CLIENT_INITIATED_DISCONNECT: 'the device disconnected',
  SERVER_INITIATED_DISCONNECT: 'AWS disconnected it',
};

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-ink-muted">{label}</dt>
      <dd className="mt-0.5 break-words text-sm text-ink">{children}</dd>
    </div>
  );
}

/** Status with last seen and disconnect reason, thing type, groups, firmware and the latest readings. */
export function DeviceHeader({ orgSlug, device, now }: { orgSlug: string; device: DeviceDetailDto; now: string }) {
  const reason = device.disconnectReason ? (REASONS[device.disconnectReason] ?? device.disconnectReason) : null;
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-4 sm:grid-cols-3 lg:grid-cols-6" data-testid="device-header">
      <Fact label="Status">
        <span className="inline-flex flex-wrap items-center gap-2">
          <DeviceStatusBadge status={device.status} />
          {device.status === 'offline' && reason ? <span className="text-xs text-ink-muted" data-testid="disconnect-reason">{reason}</span> : null}
        </span>
      </Fact>
      <Fact label="Last seen">
        {device.lastSeenAt ? <time dateTime={device.lastSeenAt} title={device.lastSeenAt}>{relativeTime(device.lastSeenAt, now)}</time> : 'never'}
      </Fact>
      <Fact label="Thing type">{device.thingType ?? <span className="text-ink-muted">none</span>}</Fact>
      <Fact label="Firmware">
        <span className="font-mono text-xs">{device.firmwareVersion ?? '—'}</span>
      </Fact>
      <Fact label="Readings">
        <span className="text-xs tabular-nums">
          {device.battery !== null ? `${Math.round(device.battery)} % battery` : '—'}
          {device.rssi !== null ? ` · ${Math.round(device.rssi)} dBm` : ''}
          {device.temperature !== null ? ` · ${device.temperature.toFixed(1)} °C` : ''}
        </span>
      </Fact>
      <Fact label="Integration">
        <Link href={paths.integration(orgSlug, device.integration.id)} className="text-brand-700 hover:underline dark:text-brand-300">
          {device.integration.name}
        </Link>
      </Fact>
      <div className="col-span-2 sm:col-span-3 lg:col-span-6">
        <dt className="text-xs text-ink-muted">Groups</dt>
        <dd className="mt-1 flex flex-wrap gap-1.5">
          {device.groups.length === 0 ? <span className="text-sm text-ink-muted">In no thing group.</span> : device.groups.map((g) => <Badge key={g}>{g}</Badge>)}
        </dd>
      </div>
    </dl>
  );
}
