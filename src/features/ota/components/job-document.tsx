import { prettyDocument } from '../templates';

/** The job document devices receive, pretty-printed. */
export function JobDocument({ document, documentSource }: { document: string | null; documentSource: string | null }) {
  if (documentSource && !document) {
    return (
      <p className="text-sm text-ink">
        Stored in S3: <span className="break-all font-mono text-xs">{documentSource}</span>
      </p>
    );
  }
  if (!document) return <p className="text-sm text-ink-muted">Not loaded yet; it appears with the next refresh.</p>;
  return (
    <pre className="max-h-96 overflow-auto rounded-md bg-surface-muted p-3 font-mono text-xs text-ink" data-testid="job-document" tabIndex={0} aria-label="Job document">
      {prettyDocument(document)}
    </pre>
  );
}
