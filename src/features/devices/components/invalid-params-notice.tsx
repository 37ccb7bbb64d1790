const NAMES: Record<string, string> = {
  q: 'search',
  status: 'status',
  type: 'thing type',
  group: 'group',
  firmware: 'firmware',
  integration: 'AWS account',
  attr: 'attribute',
  batteryBelow: 'battery below',
  openAlert: 'open alert',
  sort: 'sort',
  dir: 'sort direction',
  cursor: 'page position',
};

/** Parts of a (hand-edited or outdated) link the list could not use and ignored. */
export function InvalidParamsNotice({ invalid }: { invalid: string[] }) {
  if (invalid.length === 0) return null;
  const parts = [...new Set(invalid)].map((name) => NAMES[name] ?? name);
  return (
    <div role="status" data-testid="invalid-params" className="rounded-md border border-warning-200 bg-warning-50 px-3 py-2 text-sm text-warning-800 dark:border-warning-800 dark:bg-warning-950 dark:text-warning-200">
      Some of this link could not be used and was ignored: {parts.join(', ')}.
    </div>
  );
}
