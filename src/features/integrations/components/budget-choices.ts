/** Sync budget choices (share of the AWS API quotas) offered in the UI. */
export const BUDGET_CHOICES = [
  { value: 0.05, label: '5% of the AWS quotas' },
  { value: 0.1, label: '10% of the AWS quotas' },
  { value: 0.25, label: '25% of the AWS quotas' },
  { value: 0.5, label: '50% of the AWS quotas (default)' },
  { value: 0.75, label: '75% of the AWS quotas' },
  { value: 1, label: '100% of the AWS quotas' },
] as const;

export function budgetLabel(value: number): string {
  return `${Math.round(value * 100)}% of the AWS quotas`;
}
