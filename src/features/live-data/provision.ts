import {
  CreateTopicRuleCommand,
  CreateTopicRuleDestinationCommand,
  DeleteTopicRuleCommand,
  DeleteTopicRuleDestinationCommand,
  GetTopicRuleCommand,
  GetTopicRuleDestinationCommand,
  ListTopicRuleDestinationsCommand,
  ReplaceTopicRuleCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { sanitizeAwsError } from '@/lib/aws/errors';
import { rulePayload, ruleNames } from './rules';

/**
 * The AWS side of the live-data set-up, on an integration's governed IoT client: the topic rule
 * destination (its confirmation arrives at the ingest URL) and the telemetry and presence rules.
 * Every step is safe to repeat: an existing destination or rule is found or replaced, never doubled.
 */
export type DestinationStatus = 'IN_PROGRESS' | 'ENABLED' | 'DISABLED' | 'ERROR' | 'DELETING';
export type RuleStatus = 'ENABLED' | 'DISABLED' | 'MISSING' | 'ERROR';

export interface RuleTarget {
  integrationId: string;
  ingestUrl: string;
  topicFilter: string;
}

export interface LiveDataState {
  destinationArn: string | null;
  destinationStatus: DestinationStatus | null;
  telemetry: RuleStatus;
  presence: RuleStatus;
}

const errorName = (error: unknown) => sanitizeAwsError(error).name;
const isNotFound = (error: unknown) => errorName(error) === 'ResourceNotFoundException';
const isAlreadyThere = (error: unknown) => errorName(error) === 'ResourceAlreadyExistsException';

const asDestinationStatus = (s: string | undefined): DestinationStatus =>
  s === 'ENABLED' || s === 'DISABLED' || s === 'ERROR' || s === 'DELETING' ? s : 'IN_PROGRESS';

async function findDestination(iot: IoTClient, ingestUrl: string, signal?: AbortSignal) {
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListTopicRuleDestinationsCommand({ maxResults: 100, nextToken }), { abortSignal: signal });
    const found = page.destinationSummaries?.find((d) => d.httpUrlSummary?.confirmationUrl === ingestUrl);
    if (found?.arn) return { arn: found.arn, status: asDestinationStatus(found.status) };
    nextToken = page.nextToken;
  } while (nextToken);
  return null;
}

export async function ensureDestination(iot: IoTClient, target: RuleTarget, knownArn: string | null, signal?: AbortSignal) {
  if (knownArn) {
    try {
      const out = await iot.send(new GetTopicRuleDestinationCommand({ arn: knownArn }), { abortSignal: signal });
      return { arn: knownArn, status: asDestinationStatus(out.topicRuleDestination?.status) };
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  try {
    const out = await iot.send(
      new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: target.ingestUrl } } }),
      { abortSignal: signal },
    );
    const d = out.topicRuleDestination;
    if (!d?.arn) throw new Error('CreateTopicRuleDestination returned no arn');
    return { arn: d.arn, status: asDestinationStatus(d.status) };
  } catch (error) {
    if (!isAlreadyThere(error)) throw error;
    const found = await findDestination(iot, target.ingestUrl, signal);
    if (!found) throw error;
    return found;
  }
}

/** Creates the rule, or replaces it when it exists (a repeated set-up, a new secret or topic filter). */
export async function putRule(iot: IoTClient, kind: 'telemetry' | 'presence', target: RuleTarget, secret: string, signal?: AbortSignal): Promise<void> {
  const ruleName = ruleNames(target.integrationId)[kind];
  const topicRulePayload = rulePayload(kind, { ...target, secret });
  try {
    await iot.send(new CreateTopicRuleCommand({ ruleName, topicRulePayload }), { abortSignal: signal });
  } catch (error) {
    if (!isAlreadyThere(error)) throw error;
    await iot.send(new ReplaceTopicRuleCommand({ ruleName, topicRulePayload }), { abortSignal: signal });
  }
}

/** A rule's new payload (a rotated secret): ReplaceTopicRule, creating the rule when it is gone. */
export async function replaceRule(iot: IoTClient, kind: 'telemetry' | 'presence', target: RuleTarget, secret: string, signal?: AbortSignal): Promise<void> {
  const ruleName = ruleNames(target.integrationId)[kind];
  try {
    await iot.send(new ReplaceTopicRuleCommand({ ruleName, topicRulePayload: rulePayload(kind, { ...target, secret }) }), { abortSignal: signal });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await putRule(iot, kind, target, secret, signal);
  }
}

export async function provisionLiveData(iot: IoTClient, target: RuleTarget, secret: string, knownArn: string | null, signal?: AbortSignal): Promise<LiveDataState> {
  const destination = await ensureDestination(iot, target, knownArn, signal);
  await putRule(iot, 'telemetry', target, secret, signal);
  await putRule(iot, 'presence', target, secret, signal);
  return { destinationArn: destination.arn, destinationStatus: destination.status, telemetry: 'ENABLED', presence: 'ENABLED' };
}

/** Deletes both rules and the destination; what is already gone is fine. */
export async function deprovisionLiveData(iot: IoTClient, integrationId: string, destinationArn: string | null, signal?: AbortSignal): Promise<void> {
  const names = ruleNames(integrationId);
  for (const ruleName of [names.telemetry, names.presence]) {
    try {
      await iot.send(new DeleteTopicRuleCommand({ ruleName }), { abortSignal: signal });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  if (!destinationArn) return;
  try {
    await iot.send(new DeleteTopicRuleDestinationCommand({ arn: destinationArn }), { abortSignal: signal });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

async function ruleStatus(iot: IoTClient, ruleName: string, signal?: AbortSignal): Promise<RuleStatus> {
  try {
    const out = await iot.send(new GetTopicRuleCommand({ ruleName }), { abortSignal: signal });
    return out.rule?.ruleDisabled ? 'DISABLED' : 'ENABLED';
  } catch (error) {
    // AWS answers UnauthorizedException for a rule that does not exist (or one it will not show).
    if (isNotFound(error) || errorName(error) === 'UnauthorizedException') return 'MISSING';
    throw error;
  }
}

/** What AWS holds now: the destination's status and whether each rule exists and is enabled. */
export async function readLiveDataState(iot: IoTClient, integrationId: string, destinationArn: string | null, signal?: AbortSignal): Promise<LiveDataState> {
  const names = ruleNames(integrationId);
  let destinationStatus: DestinationStatus | null = null;
  if (destinationArn) {
    try {
      const out = await iot.send(new GetTopicRuleDestinationCommand({ arn: destinationArn }), { abortSignal: signal });
      destinationStatus = asDestinationStatus(out.topicRuleDestination?.status);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  const [telemetry, presence] = await Promise.all([ruleStatus(iot, names.telemetry, signal), ruleStatus(iot, names.presence, signal)]);
  return { destinationArn: destinationStatus ? destinationArn : null, destinationStatus, telemetry, presence };
}
