import { z } from 'zod';
import { IOT_REGION_CODES } from './regions';

/** Zod inputs of the integrations feature; the wizard validates with the same schemas. Browser-safe. */

export const integrationNameSchema = z
  .string({ message: 'Enter a name.' })
  .trim()
  .min(1, 'Enter a name.')
  .max(80, 'Use at most 80 characters.');

export const regionSchema = z.enum(IOT_REGION_CODES, { message: 'Choose a region where AWS IoT Core is available.' });

export const accessKeyIdSchema = z
  .string({ message: 'Enter the access key id.' })
  .trim()
  .regex(/^(AKIA|ASIA)[A-Z0-9]{16}$/, 'An access key id is AKIA or ASIA followed by 16 upper-case letters or digits.');

// The message never repeats the value: this field is a secret.
export const secretAccessKeySchema = z
  .string({ message: 'Enter the secret access key.' })
  .trim()
  .regex(/^[A-Za-z0-9/+]{40}$/, 'A secret access key is exactly 40 characters: letters, digits, / and +.');

export const roleArnSchema = z
  .string({ message: 'Enter the role ARN.' })
  .trim()
  .max(2048, 'That ARN is too long.')
  .regex(/^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_/-]+$/, 'A role ARN looks like arn:aws:iam::123456789012:role/FleetlineAccess.');

/** External IDs Fleetline generates: `fl-` + 24 base64url characters (144 random bits). */
export const externalIdSchema = z.string().regex(/^fl-[A-Za-z0-9_-]{24}$/, 'This External ID was not issued by Fleetline.');

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** True for hosts that only reach this machine: 127.0.0.0/8, localhost and [::1]. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOST.test(hostname.toLowerCase());
}

/**
 * A custom AWS endpoint (the local simulator, LocalStack, a VPC endpoint): https anywhere, plain
 * http only for loopback addresses. Normalised to its origin; empty means "none".
 */
export const customEndpointSchema = z
  .string()
  .trim()
  .max(2048, 'That URL is too long.')
  .transform((value, ctx) => {
    if (value === '') return null;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Enter a full URL, e.g. https://vpce-0123.iot.eu-west-1.vpce.amazonaws.com.' });
      return z.NEVER;
    }
    const problem =
      url.protocol !== 'https:' && url.protocol !== 'http:'
        ? 'Use an https:// URL.'
        : url.protocol === 'http:' && !isLoopbackHost(url.hostname)
          ? 'Plain http is only allowed for loopback addresses (localhost, 127.0.0.1, [::1]); use https.'
          : url.username || url.password
            ? 'The URL must not contain a user name or password.'
            : (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash
              ? 'Enter only the scheme, host and port, without a path.'
              : null;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return url.origin;
  });

const timestreamName = (what: string) =>
  z
    .string()
    .trim()
    .transform((v) => (v === '' ? null : v))
    .pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,256}$/, `A Timestream ${what} name has 3–256 letters, digits, _ . or -.`)
        .nullable(),
    );

export const timestreamDatabaseSchema = timestreamName('database');
export const timestreamTableSchema = timestreamName('table');

export const SYNC_INTERVAL = { min: 60, max: 86_400, default: 300 } as const;
export const SYNC_BUDGET = { min: 0.05, max: 1, default: 0.5 } as const;

export const syncIntervalSchema = z.coerce
  .number({ message: 'Choose a sync interval.' })
  .int('Use whole seconds.')
  .min(SYNC_INTERVAL.min, 'Sync at most once a minute.')
  .max(SYNC_INTERVAL.max, 'Sync at least once a day.');

export const syncBudgetSchema = z.coerce
  .number({ message: 'Choose a sync budget.' })
  .min(SYNC_BUDGET.min, 'Allow at least 5% of the AWS quotas.')
  .max(SYNC_BUDGET.max, 'The budget cannot exceed 100% of the AWS quotas.')
  .transform((v) => Math.round(v * 100) / 100);

/** The ids the server issued when the wizard opened; `token` signs them to this organization. */
export const draftSchema = z.object({
  integrationId: z.uuid(),
  externalId: externalIdSchema,
  token: z.string().min(10).max(200),
});
export type Draft = z.infer<typeof draftSchema>;

const advanced = {
  // prefault: a missing field is parsed as '' (so it becomes null), not returned as-is.
  customEndpoint: customEndpointSchema.prefault(''),
  timestreamDatabase: timestreamDatabaseSchema.prefault(''),
  timestreamTable: timestreamTableSchema.prefault(''),
};

const accessKeysFields = {
  authType: z.literal('access_keys'),
  accessKeyId: accessKeyIdSchema,
  secretAccessKey: secretAccessKeySchema,
};
const roleFields = { authType: z.literal('assume_role'), roleArn: roleArnSchema };

function timestreamTableNeedsDatabase(value: { timestreamDatabase: string | null; timestreamTable: string | null }, ctx: z.RefinementCtx) {
  if (value.timestreamTable && !value.timestreamDatabase) {
    ctx.addIssue({ code: 'custom', path: ['timestreamDatabase'], message: 'Enter the database that holds this table.' });
  }
  if (value.timestreamDatabase && !value.timestreamTable) {
    ctx.addIssue({ code: 'custom', path: ['timestreamTable'], message: 'Enter the table to query in this database.' });
  }
}

/** What "Test connection" needs: where and how to connect (no name or schedule yet). */
export const connectionSchema = z
  .discriminatedUnion('authType', [
    z.object({ region: regionSchema, ...advanced, ...accessKeysFields }),
    z.object({ region: regionSchema, ...advanced, ...roleFields }),
  ], { message: 'Choose how Fleetline connects: an IAM role or access keys.' })
  .superRefine(timestreamTableNeedsDatabase);
export type ConnectionInput = z.infer<typeof connectionSchema>;

/** Wizard step 2 (details), validated in the browser before testing. */
export const detailsSchema = z
  .discriminatedUnion('authType', [
    z.object({ name: integrationNameSchema, region: regionSchema, ...advanced, ...accessKeysFields }),
    z.object({ name: integrationNameSchema, region: regionSchema, ...advanced, ...roleFields }),
  ], { message: 'Choose how Fleetline connects: an IAM role or access keys.' })
  .superRefine(timestreamTableNeedsDatabase);

export const scheduleSchema = z.object({
  syncIntervalSeconds: syncIntervalSchema.default(SYNC_INTERVAL.default),
  syncBudget: syncBudgetSchema.default(SYNC_BUDGET.default),
});

export const testConnectionSchema = z.object({ draft: draftSchema, connection: connectionSchema });
export type TestConnectionInput = z.infer<typeof testConnectionSchema>;

export const createIntegrationSchema = z.object({
  draft: draftSchema,
  details: detailsSchema,
  schedule: scheduleSchema,
});
export type CreateIntegrationInput = z.infer<typeof createIntegrationSchema>;

const integrationIdSchema = z.uuid({ message: 'Unknown integration.' });

export const updateIntegrationSchema = z
  .object({
    integrationId: integrationIdSchema,
    name: integrationNameSchema,
    syncIntervalSeconds: syncIntervalSchema,
    syncBudget: syncBudgetSchema,
    ...advanced,
  })
  .superRefine(timestreamTableNeedsDatabase);
export type UpdateIntegrationInput = z.infer<typeof updateIntegrationSchema>;

export const integrationRefSchema = z.object({ integrationId: integrationIdSchema });
export type IntegrationRef = z.infer<typeof integrationRefSchema>;

export const rotateCredentialsSchema = z.object({
  integrationId: integrationIdSchema,
  accessKeyId: accessKeyIdSchema,
  secretAccessKey: secretAccessKeySchema,
});
export type RotateCredentialsInput = z.infer<typeof rotateCredentialsSchema>;

export const deleteIntegrationSchema = z.object({
  integrationId: integrationIdSchema,
  confirmName: z.string().trim().min(1, 'Type the integration’s name to confirm.').max(80),
});
export type DeleteIntegrationInput = z.infer<typeof deleteIntegrationSchema>;

/** Interval choices offered in the UI (any whole number of seconds in range is accepted). */
export const SYNC_INTERVAL_CHOICES = [
  { seconds: 60, label: 'Every minute' },
  { seconds: 300, label: 'Every 5 minutes' },
  { seconds: 900, label: 'Every 15 minutes' },
  { seconds: 1800, label: 'Every 30 minutes' },
  { seconds: 3600, label: 'Every hour' },
  { seconds: 21_600, label: 'Every 6 hours' },
  { seconds: 86_400, label: 'Once a day' },
] as const;

export function intervalLabel(seconds: number): string {
  const choice = SYNC_INTERVAL_CHOICES.find((c) => c.seconds === seconds);
  if (choice) return choice.label;
  return seconds % 3600 === 0 ? `Every ${seconds / 3600} hours` : seconds % 60 === 0 ? `Every ${seconds / 60} minutes` : `Every ${seconds} seconds`;
}
