import { CopyButton } from './copy-button';

/** A JSON document to paste into the AWS console, with a copy button. */
export function CodeBlock({ id, title, description, code }: { id: string; title: string; description?: string; code: string }) {
  return (
    <section aria-labelledby={`${id}-title`} className="min-w-0 rounded-md border border-line">
      <header className="flex items-center justify-between gap-3 border-b border-line bg-surface-muted px-3 py-2">
        <div className="min-w-0">
          <h4 id={`${id}-title`} className="text-sm font-medium text-ink">
            {title}
          </h4>
          {description ? <p className="text-xs text-ink-muted">{description}</p> : null}
        </div>
        <CopyButton text={code} label={`Copy ${title.toLowerCase()}`} />
      </header>
      <pre data-testid={id} tabIndex={0} className="max-h-72 overflow-auto p-3 font-mono text-xs leading-relaxed text-ink">
        {code}
      </pre>
    </section>
  );
}
