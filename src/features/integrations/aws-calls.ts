/**
 * Every AWS API call Fleetline makes in a customer's account: the single source of truth for the
 * least-privilege permission policy (policies.ts) and the preflight's capability checks. A unit test
 * fails when code under src/ sends an AWS command that is missing here. Browser-safe (no SDK imports).
 */
export type CapabilityId =
  | 'endpoint'
  | 'registryRead'
  | 'shadowRead'
  | 'fleetIndexing'
  | 'fleetSearch'
  | 'jobsRead'
  | 'timestreamQuery'
  | 'deviceWrite'
  | 'jobsWrite'
  | 'liveData';

/** What an IAM action can be scoped to (`none`: the action supports no resource-level permissions). */
export type ResourceKind = 'none' | 'thing' | 'thinggroup' | 'index' | 'job' | 'timestreamTable' | 'topicRule' | 'ruleDestination';

export interface AwsCall {
  /** The SDK command without the `Command` suffix. */
  operation: string;
  client: 'iot' | 'iotData' | 'timestream';
  /** The IAM action AWS authorizes the call with. */
  action: string;
  capability: CapabilityId;
  resources: readonly ResourceKind[];
}

export const AWS_CALLS = [
  { operation: 'DescribeEndpoint', client: 'iot', action: 'iot:DescribeEndpoint', capability: 'endpoint', resources: ['none'] },
  { operation: 'ListThings', client: 'iot', action: 'iot:ListThings', capability: 'registryRead', resources: ['none'] },
  { operation: 'DescribeThing', client: 'iot', action: 'iot:DescribeThing', capability: 'registryRead', resources: ['thing'] },
  { operation: 'ListThingTypes', client: 'iot', action: 'iot:ListThingTypes', capability: 'registryRead', resources: ['none'] },
  { operation: 'ListThingGroups', client: 'iot', action: 'iot:ListThingGroups', capability: 'registryRead', resources: ['none'] },
  { operation: 'ListThingsInThingGroup', client: 'iot', action: 'iot:ListThingsInThingGroup', capability: 'registryRead', resources: ['thinggroup'] },
  { operation: 'DescribeThingGroup', client: 'iot', action: 'iot:DescribeThingGroup', capability: 'registryRead', resources: ['thinggroup'] },
  { operation: 'GetThingShadow', client: 'iotData', action: 'iot:GetThingShadow', capability: 'shadowRead', resources: ['thing'] },
  { operation: 'ListNamedShadowsForThing', client: 'iotData', action: 'iot:ListNamedShadowsForThing', capability: 'shadowRead', resources: ['thing'] },
  { operation: 'GetIndexingConfiguration', client: 'iot', action: 'iot:GetIndexingConfiguration', capability: 'fleetIndexing', resources: ['none'] },
  { operation: 'SearchIndex', client: 'iot', action: 'iot:SearchIndex', capability: 'fleetSearch', resources: ['index'] },
  { operation: 'ListJobs', client: 'iot', action: 'iot:ListJobs', capability: 'jobsRead', resources: ['none'] },
  { operation: 'DescribeJob', client: 'iot', action: 'iot:DescribeJob', capability: 'jobsRead', resources: ['job'] },
  { operation: 'GetJobDocument', client: 'iot', action: 'iot:GetJobDocument', capability: 'jobsRead', resources: ['job'] },
  { operation: 'ListJobExecutionsForJob', client: 'iot', action: 'iot:ListJobExecutionsForJob', capability: 'jobsRead', resources: ['job'] },
  { operation: 'UpdateThingShadow', client: 'iotData', action: 'iot:UpdateThingShadow', capability: 'deviceWrite', resources: ['thing'] },
  { operation: 'UpdateThing', client: 'iot', action: 'iot:UpdateThing', capability: 'deviceWrite', resources: ['thing'] },
  { operation: 'CreateJob', client: 'iot', action: 'iot:CreateJob', capability: 'jobsWrite', resources: ['job', 'thing', 'thinggroup'] },
  { operation: 'CancelJob', client: 'iot', action: 'iot:CancelJob', capability: 'jobsWrite', resources: ['job'] },
  // Live data (issue 13): the topic rule destination Fleetline confirms and the two rules it manages.
  { operation: 'CreateTopicRuleDestination', client: 'iot', action: 'iot:CreateTopicRuleDestination', capability: 'liveData', resources: ['ruleDestination'] },
  { operation: 'GetTopicRuleDestination', client: 'iot', action: 'iot:GetTopicRuleDestination', capability: 'liveData', resources: ['ruleDestination'] },
  { operation: 'ConfirmTopicRuleDestination', client: 'iot', action: 'iot:ConfirmTopicRuleDestination', capability: 'liveData', resources: ['ruleDestination'] },
  { operation: 'ListTopicRuleDestinations', client: 'iot', action: 'iot:ListTopicRuleDestinations', capability: 'liveData', resources: ['none'] },
  { operation: 'DeleteTopicRuleDestination', client: 'iot', action: 'iot:DeleteTopicRuleDestination', capability: 'liveData', resources: ['ruleDestination'] },
  { operation: 'ListTopicRules', client: 'iot', action: 'iot:ListTopicRules', capability: 'liveData', resources: ['none'] },
  { operation: 'CreateTopicRule', client: 'iot', action: 'iot:CreateTopicRule', capability: 'liveData', resources: ['topicRule'] },
  { operation: 'GetTopicRule', client: 'iot', action: 'iot:GetTopicRule', capability: 'liveData', resources: ['topicRule'] },
  { operation: 'ReplaceTopicRule', client: 'iot', action: 'iot:ReplaceTopicRule', capability: 'liveData', resources: ['topicRule'] },
  { operation: 'DeleteTopicRule', client: 'iot', action: 'iot:DeleteTopicRule', capability: 'liveData', resources: ['topicRule'] },
  { operation: 'Query', client: 'timestream', action: 'timestream:Select', capability: 'timestreamQuery', resources: ['timestreamTable'] },
  // Sent by the SDK itself before Query (endpoint discovery) unless a custom endpoint is set.
  { operation: 'DescribeEndpoints', client: 'timestream', action: 'timestream:DescribeEndpoints', capability: 'timestreamQuery', resources: ['none'] },
] as const satisfies readonly AwsCall[];

export type AwsOperation = (typeof AWS_CALLS)[number]['operation'];

export function callFor(operation: string): AwsCall | undefined {
  return AWS_CALLS.find((c) => c.operation === operation);
}

/** The IAM actions a capability needs, in catalogue order. */
export function actionsFor(capability: CapabilityId): string[] {
  return AWS_CALLS.filter((c) => c.capability === capability).map((c) => c.action);
}
