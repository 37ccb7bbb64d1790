import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { cn } from '@/lib/cn';

const control =
  'block w-full rounded-md border border-line bg-surface px-3 py-2 text-sm text-ink shadow-xs placeholder:text-ink-faint focus:border-brand-500 focus:outline-2 focus:outline-brand-500/30 aria-[invalid=true]:border-danger-500';

interface FieldProps {
  id: string;
  label: string;
  hint?: ReactNode;
  errors?: string[];
  children: ReactNode;
}

/** Label, control, hint and inline errors wired together for screen readers. */
export function Field({ id, label, hint, errors, children }: FieldProps) {
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-ink">
        {label}
      </label>
      {children}
      {hint && !errors?.length ? (
        <p id={`${id}-hint`} className="text-xs text-ink-muted">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-danger-600 dark:text-danger-400">
          {errors[0]}
        </p>
      ) : null}
    </div>
  );
}

export function Input({ className, ...props }: InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean }) {
  const { invalid, ...rest } = props;
  return (
    <input
      {...rest}
      aria-invalid={invalid || undefined}
      aria-describedby={invalid ? `${props.id}-error` : `${props.id}-hint`}
      className={cn(control, className)}
    />
  );
}

export function Select({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement> & { invalid?: boolean }) {
  const { invalid, ...rest } = props;
  return <select {...rest} aria-invalid={invalid || undefined} className={cn(control, className)} />;
}

export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <div role="alert" className="rounded-md border border-danger-200 bg-danger-50 px-3 py-2 text-sm text-danger-700 dark:border-danger-800 dark:bg-danger-950 dark:text-danger-300">
      {message}
    </div>
  );
}
