/**
 * Fleetline's own AWS account (FLEETLINE_AWS_ACCOUNT_ID): the principal customers' trust policies
 * name. Null when unset or malformed, in which case the wizard says so instead of showing a policy
 * that cannot work.
 */
export function platformAccountId(env: Record<string, string | undefined> = process.env): string | null {
  const value = env.FLEETLINE_AWS_ACCOUNT_ID?.trim();
  return value && /^\d{12}$/.test(value) ? value : null;
}
