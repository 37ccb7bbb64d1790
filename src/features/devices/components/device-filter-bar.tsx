'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input, Select } from '@/components/ui/field';
import { cn } from '@/lib/cn';
import { paths } from '@/lib/paths';
import { attributeFilterSchema, DEVICE_STATUSES, isEmptyDeviceFilter, type DeviceFilter } from '../filters';
import { deviceListQuery, type DeviceSort, type SortDirection } from '../list-params';
import type { DeviceFacets } from '../queries';
import { STATUS_LABELS } from './device-status-badge';

interface DeviceFilterBarProps {
  orgSlug: string;
  filter: DeviceFilter;
  sort: DeviceSort;
  dir: SortDirection;
  facets: DeviceFacets;
}

const SEARCH_DEBOUNCE_MS = 300;
const label = 'mb-1 block text-xs font-medium text-ink-muted';

/**
 * The device filter, kept in the URL: every change navigates to the filtered list (first page, same
 * sort), so the address bar always holds a shareable, bookmarkable view. Search applies after a
 * short pause in typing or at once on Enter; the other controls apply when changed.
 */
export function DeviceFilterBar({ orgSlug, filter, sort, dir, facets }: DeviceFilterBarProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(filter.q ?? '');
  const [attr, setAttr] = useState('');
  const [attrError, setAttrError] = useState<string | null>(null);
  const [battery, setBattery] = useState(filter.batteryBelow === undefined ? '' : String(filter.batteryBelow));
  const [moreOpen, setMoreOpen] = useState(false);
  const more = [filter.type, filter.group, filter.firmware, filter.integration, filter.batteryBelow, ...(filter.attr ?? [])].filter((v) => v !== undefined).length;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // A navigation we did not make (back button, a link) brings another filter: show it. Our own
  // search navigation must not reset the box while the user keeps typing.
  const [seen, setSeen] = useState({ q: filter.q, battery: filter.batteryBelow });
  const [pushedQ, setPushedQ] = useState(filter.q);
  if (seen.q !== filter.q || seen.battery !== filter.batteryBelow) {
    setSeen({ q: filter.q, battery: filter.batteryBelow });
    setBattery(filter.batteryBelow === undefined ? '' : String(filter.batteryBelow));
    if (filter.q !== pushedQ) {
      setQ(filter.q ?? '');
      setPushedQ(filter.q);
    }
  }
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  function apply(next: DeviceFilter) {
    if (timer.current) clearTimeout(timer.current);
    setPushedQ(next.q);
    startTransition(() => router.push(paths.devices(orgSlug, deviceListQuery({ filter: next, sort, dir }))));
  }

  function set<K extends keyof DeviceFilter>(key: K, value: DeviceFilter[K] | undefined) {
    const next: DeviceFilter = { ...filter, q: q.trim() || undefined };
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete next[key];
    else next[key] = value;
    apply(next);
  }

  function onSearch(value: string) {
    setQ(value);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => set('q', value.trim() || undefined), SEARCH_DEBOUNCE_MS);
  }

  function toggleStatus(status: (typeof DEVICE_STATUSES)[number]) {
    const current = filter.status ?? [];
    set('status', current.includes(status) ? current.filter((s) => s !== status) : DEVICE_STATUSES.filter((s) => s === status || current.includes(s)));
  }

  function addAttribute(event: FormEvent) {
    event.preventDefault();
    const at = attr.indexOf('=');
    const parsed = attributeFilterSchema.safeParse(at < 0 ? { key: attr.trim(), value: '' } : { key: attr.slice(0, at).trim(), value: attr.slice(at + 1).trim() });
    if (at < 0 || !parsed.success) {
      setAttrError(at < 0 ? 'Write it as key=value, e.g. site=berlin.' : (parsed.error?.issues[0]?.message ?? 'Invalid attribute.'));
      return;
    }
    const current = filter.attr ?? [];
    if (current.length >= 5) {
      setAttrError('At most 5 attribute filters.');
      return;
    }
    setAttrError(null);
    setAttr('');
    set('attr', [...current.filter((a) => a.key !== parsed.data.key), parsed.data]);
  }

  function applyBattery(event?: FormEvent) {
    event?.preventDefault();
    const text = battery.trim();
    const value = text === '' ? undefined : Number(text);
    if (value !== undefined && (!Number.isFinite(value) || value < 0 || value > 100)) return;
    if (value !== filter.batteryBelow) set('batteryBelow', value);
  }

  const select = (key: 'type' | 'group' | 'firmware', name: string, any: string, options: string[]) => (
    <div>
      <label htmlFor={`filter-${key}`} className={label}>{name}</label>
      <Select id={`filter-${key}`} value={filter[key] ?? ''} onChange={(e) => set(key, e.target.value || undefined)}>
        <option value="">{any}</option>
        {/* A value from a shared link that this org no longer has stays selectable (and visible). */}
        {[...new Set(filter[key] ? [...options, filter[key]] : options)].map((o) => (
          <option key={o} value={o}>{o}</option>
        ))}
      </Select>
    </div>
  );

  return (
    <section aria-label="Filter devices" className="space-y-3 rounded-lg border border-line bg-surface p-4 shadow-xs" aria-busy={pending || undefined}>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="flex-1">
          <label htmlFor="filter-q" className={label}>Search</label>
          <Input
            id="filter-q"
            type="search"
            value={q}
            placeholder="Thing name, display name or attribute"
            autoComplete="off"
            maxLength={200}
            onChange={(e) => onSearch(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                set('q', q.trim() || undefined);
              }
            }}
          />
        </div>
        <fieldset>
          <legend className={label}>Status</legend>
          <div className="flex flex-wrap gap-1.5">
            {DEVICE_STATUSES.map((s) => {
              const on = filter.status?.includes(s) ?? false;
              return (
                <button
                  key={s}
                  type="button"
                  aria-pressed={on}
                  onClick={() => toggleStatus(s)}
                  className={cn(
                    'rounded-full border px-3 py-1.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600',
                    on ? 'border-brand-600 bg-brand-600 text-white' : 'border-line bg-surface text-ink-muted hover:bg-surface-muted hover:text-ink',
                  )}
                >
                  {STATUS_LABELS[s]}
                </button>
              );
            })}
          </div>
        </fieldset>
        <div>
          <span className={label} aria-hidden="true">Alerts</span>
          <button
            type="button"
            aria-pressed={filter.openAlert === true}
            onClick={() => set('openAlert', filter.openAlert ? undefined : true)}
            className={cn(
              'rounded-full border px-3 py-1.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600',
              filter.openAlert ? 'border-brand-600 bg-brand-600 text-white' : 'border-line bg-surface text-ink-muted hover:bg-surface-muted hover:text-ink',
            )}
          >
            Has open alert
          </button>
        </div>
      </div>

      {/* On a phone the less used filters fold away behind one button (always shown from md up). */}
      <div className="flex items-center justify-between md:hidden">
        <button
          type="button"
          aria-expanded={moreOpen}
          aria-controls="more-filters"
          onClick={() => setMoreOpen(!moreOpen)}
          className="text-sm font-medium text-brand-700 hover:underline dark:text-brand-300"
        >
          {moreOpen ? 'Fewer filters' : more > 0 ? `More filters (${more} set)` : 'More filters'}
        </button>
        {!isEmptyDeviceFilter(filter) ? (
          <Button type="button" variant="ghost" size="sm" onClick={() => { setQ(''); setBattery(''); apply({}); }}>
            Clear filters
          </Button>
        ) : null}
      </div>
      <div id="more-filters" className={cn('space-y-3 md:block', moreOpen ? 'block' : 'hidden')}>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
          {select('type', 'Thing type', 'Any type', facets.thingTypes)}
          {select('group', 'Group', 'Any group', facets.groups)}
          {select('firmware', 'Firmware', 'Any version', facets.firmwareVersions)}
          <div>
            <label htmlFor="filter-integration" className={label}>AWS account</label>
            <Select id="filter-integration" value={filter.integration ?? ''} onChange={(e) => set('integration', e.target.value || undefined)}>
              <option value="">Any account</option>
              {facets.integrations.map((i) => (
                <option key={i.id} value={i.id}>{i.name}</option>
              ))}
            </Select>
          </div>
          <form onSubmit={applyBattery}>
            <label htmlFor="filter-battery" className={label}>Battery below (%)</label>
            <Input id="filter-battery" type="number" inputMode="numeric" min={0} max={100} step={1} value={battery} placeholder="e.g. 20" onChange={(e) => setBattery(e.target.value)} onBlur={() => applyBattery()} />
          </form>
        </div>

        <div className="flex flex-wrap items-end gap-3">
          <form onSubmit={addAttribute} className="flex items-end gap-2">
            <div>
              <label htmlFor="filter-attr" className={label}>Attribute</label>
              <Input id="filter-attr" value={attr} placeholder="key=value" autoComplete="off" invalid={!!attrError} onChange={(e) => setAttr(e.target.value)} className="w-48" />
            </div>
            <Button type="submit" variant="secondary" size="sm" className="mb-0.5">Add</Button>
          </form>
          {filter.attr?.map((a) => (
            <span key={a.key} className="mb-1 inline-flex items-center gap-1 rounded-full bg-surface-muted px-2.5 py-1 text-xs text-ink" data-testid="attribute-chip">
              <span className="font-mono">{a.key}={a.value}</span>
              <button type="button" aria-label={`Remove attribute filter ${a.key}`} onClick={() => set('attr', filter.attr!.filter((x) => x.key !== a.key))} className="rounded-full px-1 text-ink-muted hover:text-ink">
                ×
              </button>
            </span>
          ))}
          {!isEmptyDeviceFilter(filter) ? (
            <span className="mb-0.5 ml-auto hidden md:inline">
              <Button type="button" variant="ghost" size="sm" onClick={() => { setQ(''); setBattery(''); apply({}); }}>
                Clear filters
              </Button>
            </span>
          ) : null}
        </div>
        {attrError ? <p id="filter-attr-error" role="alert" className="text-sm text-danger-600 dark:text-danger-400">{attrError}</p> : null}
      </div>
    </section>
  );
}
