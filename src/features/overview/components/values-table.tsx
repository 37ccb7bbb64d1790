import Link from 'next/link';
import { number } from '@/lib/format';
import { shareLabel } from '../links';
import type { ChartRow } from './chart-row';

/** The numbers behind a chart as text, with the same links as the bars (keyboard and screen readers). */
export function ValuesTable({ caption, rows, total, extra }: { caption: string; rows: ChartRow[]; total: number; extra?: string }) {
  return (
    <details className="mt-3 text-sm">
      <summary className="cursor-pointer select-none rounded text-xs font-medium text-brand-700 hover:underline focus-visible:outline-2 focus-visible:outline-brand-600 dark:text-brand-300">
        Show values
      </summary>
      <table className="mt-2 w-full text-left">
        <caption className="sr-only">{caption}</caption>
        <thead className="text-xs text-ink-muted">
          <tr>
            <th scope="col" className="py-1 font-medium">Value</th>
            <th scope="col" className="py-1 text-right font-medium">Devices</th>
            <th scope="col" className="py-1 text-right font-medium">Share</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row" className="py-1.5 pr-2 font-normal">
                {r.href ? (
                  <Link href={r.href} className="text-brand-700 hover:underline dark:text-brand-300">
                    {r.label}
                  </Link>
                ) : (
                  <span className="text-ink">{r.label}</span>
                )}
                {r.href && r.linkNote ? <span className="ml-1 text-xs text-ink-muted">(link: {r.linkNote})</span> : null}
              </th>
              <td className="py-1.5 text-right tabular-nums">{number.format(r.count)}</td>
              <td className="py-1.5 pl-2 text-right tabular-nums text-ink-muted">{shareLabel(r.count, total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {extra ? <p className="mt-2 text-xs text-ink-muted">{extra}</p> : null}
    </details>
  );
}
