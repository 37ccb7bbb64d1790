'use client';

import { useDeferredValue, useState, type Ref } from 'react';
import { StepForm } from '@/features/integrations/components/step-form';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { cn } from '@/lib/cn';
import { LIMITS } from '../model';
import type { JobIntegrationDto, TargetGroupDto } from '../queries';
import { number } from './format';
import { useTargetThings } from './use-ota';
import type { FieldErrors, WizardValues } from './wizard-values';

const choice = 'flex cursor-pointer items-start gap-3 rounded-lg border border-line p-3 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50 dark:has-[:checked]:bg-brand-950';

function depthOf(group: TargetGroupDto, byName: Map<string, TargetGroupDto>): number {
  let depth = 0;
  for (let g = group; g.parentName && byName.has(g.parentName) && depth < 8; g = byName.get(g.parentName)!) depth++;
  return depth;
}

/** Step 1: the AWS account, then thing groups (recursive, optionally continuous) or things found by search. */
export function TargetsStep({ orgSlug, values, errors, integrations, groups, headingRef, onChange, onContinue }: {
  orgSlug: string;
  values: WizardValues;
  errors: FieldErrors;
  integrations: JobIntegrationDto[];
  groups: TargetGroupDto[];
  headingRef: Ref<HTMLHeadingElement>;
  onChange: (patch: Partial<WizardValues>) => void;
  onContinue: () => void;
}) {
  const [search, setSearch] = useState('');
  const q = useDeferredValue(search.trim());
  const things = useTargetThings(orgSlug, values.integrationId, q, values.targetKind === 'things');
  const mine = groups.filter((g) => g.integrationId === values.integrationId);
  const byName = new Map(mine.map((g) => [g.name, g]));
  const selectedThings = new Set(values.things);
  const toggleGroup = (name: string, on: boolean) => onChange({ groups: on ? [...values.groups, name] : values.groups.filter((g) => g !== name) });
  const toggleThing = (name: string, on: boolean) => onChange({ things: on ? [...values.things, name] : values.things.filter((t) => t !== name) });
  const shown = things.data?.items ?? [];
  const addable = shown.filter((t) => !selectedThings.has(t.thingName));

  return (
    <StepForm title="Targets" description="Which devices get the job. AWS creates one execution per thing." headingRef={headingRef} onContinue={onContinue}>
      {integrations.length > 1 ? (
        <Field id="ota-integration" label="AWS account" errors={errors.integrationId}>
          <Select id="ota-integration" value={values.integrationId} onChange={(e) => onChange({ integrationId: e.target.value, groups: [], things: [] })}>
            {integrations.map((i) => (
              <option key={i.id} value={i.id} disabled={i.paused}>
                {i.name} ({i.region}){i.paused ? ' — paused' : ''}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}

      <fieldset className="space-y-2">
        <legend className="mb-2 text-sm font-medium text-ink">Target</legend>
        <div className="grid gap-3 sm:grid-cols-2">
          <label className={choice}>
            <input type="radio" name="targetKind" className="mt-0.5 accent-brand-600" checked={values.targetKind === 'groups'} onChange={() => onChange({ targetKind: 'groups' })} />
            <span>
              <span className="font-medium text-ink">Thing groups</span>
              <span className="block text-ink-muted">Every thing in the group and its subgroups.</span>
            </span>
          </label>
          <label className={choice}>
            <input type="radio" name="targetKind" className="mt-0.5 accent-brand-600" checked={values.targetKind === 'things'} onChange={() => onChange({ targetKind: 'things', targetSelection: 'SNAPSHOT' })} />
            <span>
              <span className="font-medium text-ink">Things</span>
              <span className="block text-ink-muted">Up to {LIMITS.thingTargets} things found by search.</span>
            </span>
          </label>
        </div>
      </fieldset>

      {values.targetKind === 'groups' ? (
        <>
          <fieldset aria-describedby={errors.groups ? 'ota-groups-error' : undefined}>
            <legend className="mb-2 text-sm font-medium text-ink">Thing groups</legend>
            {mine.length === 0 ? (
              <p className="text-sm text-ink-muted">This AWS account has no thing groups (or the first sync has not finished). Target things instead.</p>
            ) : (
              <ul className="max-h-80 divide-y divide-line overflow-auto rounded-lg border border-line">
                {mine.map((g) => (
                  <li key={g.name}>
                    <label className="flex cursor-pointer items-center gap-3 px-3 py-2 text-sm hover:bg-surface-muted" style={{ paddingLeft: `${0.75 + depthOf(g, byName) * 1.25}rem` }}>
                      <input type="checkbox" className="size-4 accent-brand-600" checked={values.groups.includes(g.name)} onChange={(e) => toggleGroup(g.name, e.target.checked)} />
                      <span className="min-w-0 flex-1">
                        <span className="font-mono text-xs text-ink">{g.name}</span>
                        {g.description ? <span className="block truncate text-xs text-ink-muted">{g.description}</span> : null}
                      </span>
                      <span className="shrink-0 text-xs tabular-nums text-ink-muted">{number.format(g.things)} things</span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
            {errors.groups ? (
              <p id="ota-groups-error" role="alert" className="mt-1.5 text-sm text-danger-600 dark:text-danger-400">
                {errors.groups[0]}
              </p>
            ) : null}
          </fieldset>
          <fieldset>
            <legend className="mb-2 text-sm font-medium text-ink">Things added to the groups later</legend>
            <div className="grid gap-3 sm:grid-cols-2">
              <label className={choice}>
                <input type="radio" name="targetSelection" className="mt-0.5 accent-brand-600" checked={values.targetSelection === 'SNAPSHOT'} onChange={() => onChange({ targetSelection: 'SNAPSHOT' })} />
                <span>
                  <span className="font-medium text-ink">Snapshot</span>
                  <span className="block text-ink-muted">Only the things in the groups now; the job completes when they are done.</span>
                </span>
              </label>
              <label className={choice}>
                <input type="radio" name="targetSelection" className="mt-0.5 accent-brand-600" checked={values.targetSelection === 'CONTINUOUS'} onChange={() => onChange({ targetSelection: 'CONTINUOUS' })} />
                <span>
                  <span className="font-medium text-ink">Continuous</span>
                  <span className="block text-ink-muted">Things that join later get it too; the job runs until canceled.</span>
                </span>
              </label>
            </div>
          </fieldset>
        </>
      ) : (
        <div className="space-y-3">
          <Field id="ota-thing-search" label="Find things" hint="Searches thing names, display names and attributes, like the device list.">
            <Input id="ota-thing-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" placeholder="e.g. sensor-0001 or berlin" />
          </Field>
          <div className="rounded-lg border border-line">
            <div className="flex items-center justify-between gap-3 border-b border-line px-3 py-2 text-xs text-ink-muted">
              <span aria-live="polite">
                {things.isPending ? 'Searching…' : things.error ? 'Search failed; try again.' : `${number.format(things.data?.total ?? 0)} match${things.data?.total === 1 ? 'es' : ''}${(things.data?.total ?? 0) > shown.length ? `, first ${shown.length} shown` : ''}`}
              </span>
              {addable.length > 0 ? (
                <Button type="button" size="sm" variant="ghost" onClick={() => onChange({ things: [...values.things, ...addable.map((t) => t.thingName)].slice(0, LIMITS.thingTargets) })}>
                  Add all shown
                </Button>
              ) : null}
            </div>
            <ul className="max-h-72 divide-y divide-line overflow-auto" aria-label="Search results">
              {shown.map((t) => (
                <li key={t.thingName}>
                  <label className="flex cursor-pointer items-center gap-3 px-3 py-2 text-sm hover:bg-surface-muted">
                    <input type="checkbox" className="size-4 accent-brand-600" checked={selectedThings.has(t.thingName)} onChange={(e) => toggleThing(t.thingName, e.target.checked)} />
                    <span className="min-w-0 flex-1 font-mono text-xs text-ink">{t.thingName}</span>
                    <span className="hidden text-xs text-ink-muted sm:inline">{t.firmwareVersion ? `fw ${t.firmwareVersion}` : ''}</span>
                    <span className={cn('text-xs', t.status === 'online' ? 'text-success-700 dark:text-success-300' : 'text-ink-muted')}>{t.status}</span>
                  </label>
                </li>
              ))}
            </ul>
          </div>
          <div aria-live="polite">
            <p className="text-sm text-ink">
              {values.things.length === 0 ? 'No things picked yet.' : `${values.things.length} of at most ${LIMITS.thingTargets} things picked:`}
            </p>
            {values.things.length > 0 ? (
              <ul className="mt-2 flex flex-wrap gap-2" aria-label="Picked things">
                {values.things.map((t) => (
                  <li key={t} className="inline-flex items-center gap-1 rounded-full bg-surface-muted py-0.5 pr-1 pl-2.5 font-mono text-xs text-ink">
                    {t}
                    <button type="button" onClick={() => toggleThing(t, false)} className="rounded-full px-1 text-ink-muted hover:bg-line hover:text-ink" aria-label={`Remove ${t}`}>
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
            {errors.things ? (
              <p role="alert" className="mt-1.5 text-sm text-danger-600 dark:text-danger-400">
                {errors.things[0]}
              </p>
            ) : null}
          </div>
        </div>
      )}
      {errors.targetSelection ? (
        <p role="alert" className="text-sm text-danger-600 dark:text-danger-400">
          {errors.targetSelection[0]}
        </p>
      ) : null}
      <div className="flex justify-end">
        <Button type="submit">Continue</Button>
      </div>
    </StepForm>
  );
}
