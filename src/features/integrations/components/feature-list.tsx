import { Badge } from '@/components/ui/badge';
import type { Feature } from '../capabilities';

const TONE = { enabled: 'success', disabled: 'danger', unverified: 'warning' } as const;
const LABEL = { enabled: 'Enabled', disabled: 'Disabled', unverified: 'Not verified' } as const;

/** What this integration's permissions allow, and why a feature is off. */
export function FeatureList({ features }: { features: Feature[] }) {
  return (
    <ul className="-my-2 divide-y divide-line" aria-label="Features">
      {features.map((f) => (
        <li key={f.name} className="flex flex-wrap items-start justify-between gap-2 py-2.5" data-testid="feature" data-state={f.state}>
          <div className="min-w-0 flex-1">
            <p className="text-sm font-medium text-ink">{f.name}</p>
            <p className="text-xs text-ink-muted">{f.reason}</p>
          </div>
          <Badge tone={TONE[f.state]}>{LABEL[f.state]}</Badge>
        </li>
      ))}
    </ul>
  );
}
