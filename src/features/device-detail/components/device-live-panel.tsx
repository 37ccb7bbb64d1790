'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { Card } from '@/components/ui/card';
import { CommandComposer } from '@/features/commands/components/command-composer';
import { CommandTimeline } from '@/features/commands/components/command-timeline';
import { commandKeys, useDeviceLive, type DeviceLiveResponse } from '@/features/commands/components/use-device-live';
import type { CommandDto } from '@/features/commands/queries';
import { CLASSIC, ShadowViewer } from './shadow-viewer';

/**
 * The live half of the device page: shadows, the command composer (operators) and the command
 * timeline, all from one query that polls, with a refresh from AWS, only while a command is open.
 */
export function DeviceLivePanel({
  orgSlug,
  deviceId,
  canWrite,
  initialData,
}: {
  orgSlug: string;
  deviceId: string;
  canWrite: boolean;
  initialData: DeviceLiveResponse;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const { data, error, isFetching } = useDeviceLive(orgSlug, deviceId, { canRefresh: canWrite, initialData });
  const [selected, setSelected] = useState(CLASSIC);
  const live = data ?? initialData;

  // When the last open command resolves, re-render the server parts (status, history) once.
  const open = useRef(live.openCommands);
  useEffect(() => {
    if (open.current > 0 && live.openCommands === 0) router.refresh();
    open.current = live.openCommands;
  }, [live.openCommands, router]);

  const shadows = [
    { name: null, shadow: live.shadow },
    ...Object.keys(live.namedShadows)
      .sort()
      .map((name) => ({ name, shadow: live.namedShadows[name] ?? null })),
  ];
  const target = shadows.find((s) => (s.name ?? CLASSIC) === selected) ?? shadows[0]!;
  const key = commandKeys.live(orgSlug, deviceId);
  const refetch = () => queryClient.invalidateQueries({ queryKey: key });
  // The new command shows as pending at once; polling (now that one is open) takes it from there.
  const onSent = (command: CommandDto) =>
    queryClient.setQueryData<DeviceLiveResponse>(key, (old) =>
      old ? { ...old, commands: [command, ...old.commands.filter((c) => c.id !== command.id)].slice(0, 10), openCommands: old.openCommands + 1 } : old,
    );

  return (
    <div className="space-y-6">
      <Card
        title="Shadow"
        description="Reported, desired and delta side by side; times are when each value was written."
        actions={live.openCommands > 0 ? <span className="text-xs text-ink-muted" role="status">{isFetching ? 'Refreshing…' : 'Following the open command'}</span> : null}
      >
        {error ? <p role="alert" className="mb-3 text-sm text-danger-700 dark:text-danger-300">{error.message}</p> : null}
        {live.refresh?.state === 'failed' ? <p className="mb-3 text-sm text-warning-700 dark:text-warning-300">Could not refresh from AWS: {live.refresh.message}</p> : null}
        <ShadowViewer shadows={shadows} namedShadowsKnown={live.namedShadowsKnown} selected={selected} onSelect={setSelected} now={live.generatedAt} />
      </Card>
      <div className="grid gap-6 xl:grid-cols-2">
        {canWrite ? (
          <Card title="Send a command" description="Sets desired state; the device applies it and reports back.">
            <CommandComposer
              orgSlug={orgSlug}
              deviceId={deviceId}
              target={{ shadowName: target.name, version: target.shadow?.version ?? null, desired: target.shadow?.desired ?? null }}
              onSent={onSent}
              onConflict={refetch}
            />
          </Card>
        ) : null}
        <Card className={canWrite ? undefined : 'xl:col-span-2'} title="Commands" description={live.openCommands > 0 ? `${live.openCommands} open` : 'Pending → delivered → converged, or timed out.'}>
          <CommandTimeline commands={live.commands} now={live.generatedAt} />
        </Card>
      </div>
    </div>
  );
}
