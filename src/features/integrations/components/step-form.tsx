import type { ReactNode, Ref } from 'react';

/**
 * One wizard step: a form whose Enter continues, headed by a focusable title (focus moves there on
 * every step change, so keyboard and screen-reader users know where they are).
 */
export function StepForm({ title, description, headingRef, onContinue, children }: {
  title: string;
  description: ReactNode;
  headingRef: Ref<HTMLHeadingElement>;
  onContinue: () => void;
  children: ReactNode;
}) {
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onContinue();
      }}
      className="space-y-5"
    >
      <div>
        <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold text-ink outline-none">
          {title}
        </h2>
        <p className="mt-1 text-sm text-ink-muted">{description}</p>
      </div>
      {children}
    </form>
  );
}
