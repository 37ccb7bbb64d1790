import type { ChannelDto } from '../queries';
import { WEBHOOK_FORMAT_LABELS } from './labels';

/** Where a channel sends, as members may see it: recipients, or the webhook's scheme and host only. */
export function ChannelTarget({ channel }: { channel: ChannelDto }) {
  if (channel.kind === 'email') {
    const [first, ...rest] = channel.recipients ?? [];
    return (
      <span data-testid="channel-target">
        {first ?? 'No recipients'}
        {rest.length > 0 ? <span className="text-ink-muted"> +{rest.length} more</span> : null}
      </span>
    );
  }
  return (
    <span data-testid="channel-target">
      <span className="font-mono text-xs">{channel.urlHint}</span> <span className="text-ink-muted">· {WEBHOOK_FORMAT_LABELS[channel.format]}</span>
    </span>
  );
}
