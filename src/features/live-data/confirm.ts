import { ConfirmTopicRuleDestinationCommand } from '@aws-sdk/client-iot';
import { z } from 'zod';
import { sanitizeAwsError } from '@/lib/aws/errors';
import { openGovernedClients, type RuntimeDeps } from '@/features/integrations/runtime/clients';
import { loadIntegration, type Db } from '@/features/integrations/runtime/integration';
import type { IngestResponse } from './ingest';

/**
 * AWS's DestinationConfirmation message: before a topic rule destination delivers anything, AWS
 * POSTs {arn, confirmationToken, enableUrl} to its URL, without the rule's custom headers. Fleetline
 * confirms with ConfirmTopicRuleDestination on the integration's own credentials, so only a
 * destination of the integration's account can ever be confirmed; the arn is also checked first.
 */
export const CONFIRMATION_HEADER = 'x-amz-rules-engine-message-type';
export const CONFIRMATION_TYPE = 'DestinationConfirmation';

const DESTINATION_ARN = /^arn:aws[a-z-]*:iot:([a-z0-9-]+):(\d{12}):ruledestination\/http\/[A-Za-z0-9-]{1,128}$/;

export const destinationConfirmationSchema = z.object({
  arn: z.string().max(512).regex(DESTINATION_ARN),
  confirmationToken: z.string().min(1).max(2048),
  enableUrl: z.string().max(4096).optional(),
});

export function isDestinationConfirmation(headers: Pick<Headers, 'get'>): boolean {
  return headers.get(CONFIRMATION_HEADER) === CONFIRMATION_TYPE;
}

/** The AWS account of an integration when its row names one (an assumed role's ARN). */
export function integrationAccount(roleArn: string | null): string | null {
  return roleArn?.match(/^arn:aws[a-z-]*:iam::(\d{12}):/)?.[1] ?? null;
}

export interface ConfirmDeps {
  db: Db;
  runtime: RuntimeDeps;
}

const REFUSED: IngestResponse = { status: 400, body: { error: 'unexpected_destination' } };

export async function confirmDestination(deps: ConfirmDeps, integrationId: string, raw: unknown): Promise<IngestResponse> {
  const parsed = destinationConfirmationSchema.safeParse(raw);
  if (!parsed.success || !z.uuid().safeParse(integrationId).success) return { status: 400, body: { error: 'malformed_confirmation' } };
  const { arn, confirmationToken } = parsed.data;
  const [, region, account] = arn.match(DESTINATION_ARN)!;

  // Check → commit → call out → write briefly (no AWS call inside a transaction).
  const live = await deps.db(async (tx) => {
    const [row] = await tx<{ org_id: string; destination_arn: string | null; destination_status: string | null }[]>`
      select org_id, destination_arn, destination_status from public.integration_live_data where integration_id = ${integrationId}`;
    return row ?? null;
  });
  // Only an integration whose live data was switched on expects a destination.
  if (!live) return REFUSED;
  if (live.destination_arn !== null && live.destination_arn !== arn) return REFUSED;
  if (live.destination_arn === arn && live.destination_status === 'ENABLED') return { status: 200, body: { confirmed: true } };
  const integration = await loadIntegration(deps.db, integrationId, live.org_id);
  if (!integration || integration.region !== region) return REFUSED;
  const knownAccount = integrationAccount(integration.role_arn);
  if (knownAccount !== null && knownAccount !== account) return REFUSED;

  await deps.db((tx) => tx`
    update public.integration_live_data set destination_arn = ${arn}, confirmation_token = ${confirmationToken},
      destination_status = 'IN_PROGRESS', updated_at = now()
    where integration_id = ${integrationId} and org_id = ${live.org_id}`);

  const aws = openGovernedClients(deps.runtime, integration, { deadlineMs: 15_000 });
  let error: string | null = null;
  try {
    await aws.clients.iot.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken }), { abortSignal: aws.signal });
  } catch (e) {
    const safe = sanitizeAwsError(e);
    error = `${safe.name}: ${safe.message}`;
  } finally {
    aws.close();
  }

  await deps.db((tx) => tx`
    update public.integration_live_data set
      destination_status = ${error === null ? 'ENABLED' : 'ERROR'},
      destination_confirmed_at = case when ${error === null} then now() else destination_confirmed_at end,
      confirmation_token = case when ${error === null} then null else confirmation_token end,
      last_error = ${error}, updated_at = now()
    where integration_id = ${integrationId} and org_id = ${live.org_id} and destination_arn = ${arn}`);
  return error === null ? { status: 200, body: { confirmed: true } } : { status: 502, body: { error: 'confirmation_failed' } };
}
