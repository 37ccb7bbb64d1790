'use client';

import type { Ref } from 'react';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/cn';
import { CodeBlock } from './code-block';
import { CopyButton } from './copy-button';
import type { WizardValues } from './wizard-model';

export interface ConnectionDocuments {
  externalId: string;
  platformAccountId: string | null;
  trustPolicy: string | null;
  permissionPolicy: string;
  cloudFormation: string | null;
}

function downloadJson(filename: string, json: string) {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const METHODS = [
  {
    value: 'assume_role',
    title: 'IAM role',
    badge: 'Recommended',
    body: 'Fleetline assumes a role in your account with an External ID. No long-lived keys leave your account.',
  },
  {
    value: 'access_keys',
    title: 'Access keys',
    badge: null,
    body: 'An IAM user’s access key. Encrypted on the server before it is stored, and never shown again.',
  },
] as const;

/** Step 1: how Fleetline connects, and the IAM documents to set that up. */
export function ConnectionStep({ values, documents, headingRef, onChange, onContinue }: {
  values: WizardValues;
  documents: ConnectionDocuments;
  headingRef: Ref<HTMLHeadingElement>;
  onChange: (patch: Partial<WizardValues>) => void;
  onContinue: () => void;
}) {
  const roleUnavailable = !documents.trustPolicy;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onContinue();
      }}
      className="space-y-6"
    >
      <div>
        <h2 ref={headingRef} tabIndex={-1} className="text-lg font-semibold text-ink outline-none">
          How should Fleetline connect?
        </h2>
        <p className="mt-1 text-sm text-ink-muted">Pick one. You can connect more AWS accounts or regions later.</p>
      </div>

      <fieldset>
        <legend className="sr-only">Connection method</legend>
        <div className="grid gap-3 sm:grid-cols-2">
          {METHODS.map((m) => {
            const disabled = m.value === 'assume_role' && roleUnavailable;
            const checked = values.authType === m.value;
            return (
              <label
                key={m.value}
                className={cn(
                  'relative flex cursor-pointer gap-3 rounded-lg border p-4 transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500',
                  checked ? 'border-brand-500 bg-brand-50 dark:bg-brand-950' : 'border-line bg-surface hover:bg-surface-muted',
                  disabled && 'cursor-not-allowed opacity-60',
                )}
              >
                <input
                  type="radio"
                  name="authType"
                  value={m.value}
                  checked={checked}
                  disabled={disabled}
                  onChange={() => onChange({ authType: m.value })}
                  className="mt-1 size-4 accent-brand-600"
                />
                <span>
                  <span className="flex items-center gap-2 text-sm font-semibold text-ink">
                    {m.title}
                    {m.badge ? (
                      <span className="rounded-full bg-brand-100 px-2 py-0.5 text-xs font-medium text-brand-700 dark:bg-brand-900 dark:text-brand-300">{m.badge}</span>
                    ) : null}
                  </span>
                  <span className="mt-1 block text-sm text-ink-muted">{m.body}</span>
                </span>
              </label>
            );
          })}
        </div>
      </fieldset>

      {roleUnavailable ? (
        <p role="note" className="rounded-md border border-warning-200 bg-warning-50 px-3 py-2 text-sm text-warning-800 dark:border-warning-800 dark:bg-warning-950 dark:text-warning-200">
          Fleetline’s own AWS account id is not configured (<code>FLEETLINE_AWS_ACCOUNT_ID</code>), so a role cannot trust it yet. Use access
          keys, or ask your Fleetline operator.
        </p>
      ) : null}

      {values.authType === 'assume_role' && documents.trustPolicy ? (
        <div className="space-y-5">
          <div className="space-y-1.5">
            <label htmlFor="external-id" className="block text-sm font-medium text-ink">
              External ID for this integration
            </label>
            <div className="flex gap-2">
              <input
                id="external-id"
                readOnly
                value={documents.externalId}
                data-testid="external-id"
                aria-describedby="external-id-hint"
                onFocus={(e) => e.currentTarget.select()}
                className="min-w-0 flex-1 rounded-md border border-line bg-surface-muted px-3 py-2 font-mono text-sm text-ink"
              />
              <CopyButton text={documents.externalId} label="Copy External ID" />
            </div>
            <p id="external-id-hint" className="text-xs text-ink-muted">
              Generated by Fleetline for this integration only. The role’s trust policy must require it, so no other Fleetline customer can
              make Fleetline use your role.
            </p>
          </div>

          <div className="rounded-lg border border-line p-4">
            <h3 className="text-sm font-semibold text-ink">Fastest: create the role with CloudFormation</h3>
            <p className="mt-1 text-sm text-ink-muted">
              Download the template, then in the AWS console open CloudFormation → Create stack → Upload a template file. When the stack is
              ready, copy its <code className="font-mono text-xs">RoleArn</code> output into the next step.
            </p>
            <Button type="button" variant="secondary" className="mt-3" onClick={() => downloadJson('fleetline-role.cloudformation.json', documents.cloudFormation!)}>
              Download CloudFormation template
            </Button>
          </div>

          <div className="space-y-3">
            <h3 className="text-sm font-semibold text-ink">Or create the role yourself</h3>
            <ol className="list-decimal space-y-1 pl-5 text-sm text-ink-muted">
              <li>IAM → Roles → Create role → Custom trust policy: paste the trust policy.</li>
              <li>Add an inline policy with the permission policy below (only the calls Fleetline makes).</li>
              <li>Copy the role’s ARN into the next step.</li>
            </ol>
            <div className="grid gap-3 xl:grid-cols-2">
              <CodeBlock id="trust-policy" title="Trust policy" description={`Trusts Fleetline’s account ${documents.platformAccountId} with this External ID`} code={documents.trustPolicy} />
              <CodeBlock id="permission-policy" title="Permission policy" description="Least privilege: the calls Fleetline makes" code={documents.permissionPolicy} />
            </div>
          </div>
        </div>
      ) : null}

      {values.authType === 'access_keys' ? (
        <div className="space-y-3">
          <p className="text-sm text-ink-muted">
            Create an IAM user for Fleetline, attach the permission policy below, and create an access key for it. Prefer an IAM role when you
            can: access keys do not expire on their own.
          </p>
          <CodeBlock id="permission-policy" title="Permission policy" description="Least privilege: the calls Fleetline makes" code={documents.permissionPolicy} />
        </div>
      ) : null}

      <div className="flex justify-end">
        <Button type="submit">Continue</Button>
      </div>
    </form>
  );
}
