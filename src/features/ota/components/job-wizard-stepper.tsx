import { cn } from '@/lib/cn';
import { WIZARD_STEPS } from './wizard-values';

/** Where the user is in the create-job wizard; visited steps can be revisited. */
export function JobWizardStepper({ step, reachable, onSelect }: { step: number; reachable: number; onSelect: (step: number) => void }) {
  return (
    <nav aria-label="Wizard progress" className="mb-6">
      <p className="mb-2 text-sm text-ink-muted sm:hidden">
        Step {step + 1} of {WIZARD_STEPS.length}: <span className="font-medium text-ink">{WIZARD_STEPS[step]}</span>
      </p>
      <ol className="flex gap-1 sm:gap-2">
        {WIZARD_STEPS.map((label, index) => {
          const current = index === step;
          const enabled = index <= reachable && !current;
          return (
            <li key={label} className="min-w-0 flex-1">
              <button
                type="button"
                disabled={!enabled}
                aria-current={current ? 'step' : undefined}
                onClick={() => onSelect(index)}
                className={cn('group flex w-full flex-col gap-1.5 text-left disabled:cursor-default', enabled && 'cursor-pointer')}
              >
                <span className={cn('h-1 w-full rounded-full', current ? 'bg-brand-600' : index < step ? 'bg-brand-400 dark:bg-brand-700' : 'bg-line')} />
                <span
                  className={cn(
                    'hidden truncate text-xs font-medium sm:block',
                    current ? 'text-brand-700 dark:text-brand-300' : enabled ? 'text-ink group-hover:underline' : 'text-ink-faint',
                  )}
                >
                  {index + 1}. {label}
                </span>
                <span className="sr-only sm:hidden">
                  Step {index + 1}: {label}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
