import { AWS_CALLS, type ResourceKind } from './aws-calls';

/**
 * The IAM documents the wizard shows: a least-privilege permission policy derived from the call
 * catalogue (aws-calls.ts), the role's trust policy (Fleetline's account + the External ID) and a
 * CloudFormation template that creates the role with both. Browser-safe, pure.
 */
export interface PolicyScope {
  /** Region of the integration; `*` when not chosen yet. */
  region?: string;
  /** The customer's account id; `*` when not known. */
  accountId?: string;
  timestreamDatabase?: string | null;
  timestreamTable?: string | null;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function partitionFor(region: string | undefined): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const STATEMENT_IDS: Record<string, string> = {
  none: 'FleetlineAccountLevelReads',
  thing: 'FleetlineThingsAndShadows',
  thinggroup: 'FleetlineThingGroups',
  index: 'FleetlineFleetIndex',
  job: 'FleetlineJobs',
  'job,thing,thinggroup': 'FleetlineCreateJobs',
  timestreamTable: 'FleetlineTimestreamQuery',
  topicRule: 'FleetlineLiveDataRules',
  ruleDestination: 'FleetlineLiveDataDestination',
};

function resourceArn(kind: Exclude<ResourceKind, 'none'>, scope: PolicyScope): string {
  const partition = partitionFor(scope.region);
  const region = scope.region ?? '*';
  const account = scope.accountId ?? '*';
  const iot = `arn:${partition}:iot:${region}:${account}`;
  switch (kind) {
    case 'thing':
      return `${iot}:thing/*`;
    case 'thinggroup':
      return `${iot}:thinggroup/*`;
    case 'index':
      return `${iot}:index/AWS_Things`;
    case 'job':
      return `${iot}:job/*`;
    case 'topicRule':
      // Only the rules Fleetline names (live-data/rules.ts: fleetline_<id>_telemetry | _presence).
      return `${iot}:rule/fleetline_*`;
    case 'ruleDestination':
      return `${iot}:ruledestination/*`;
    case 'timestreamTable':
      return `arn:${partition}:timestream:${region}:${account}:database/${scope.timestreamDatabase ?? '*'}/table/${scope.timestreamTable ?? '*'}`;
  }
}

/** One statement per set of resource kinds, listing exactly the catalogue's actions. */
export function permissionPolicy(scope: PolicyScope = {}): PolicyDocument {
  const groups = new Map<string, { kinds: readonly ResourceKind[]; actions: string[] }>();
  for (const call of AWS_CALLS) {
    const key = [...call.resources].sort().join(',');
    const group = groups.get(key) ?? { kinds: call.resources, actions: [] };
    if (!group.actions.includes(call.action)) group.actions.push(call.action);
    groups.set(key, group);
  }
  const Statement = [...groups.entries()].map(([key, { kinds, actions }]): PolicyStatement => {
    const resources = kinds.includes('none') ? '*' : kinds.map((k) => resourceArn(k as Exclude<ResourceKind, 'none'>, scope));
    return {
      Sid: STATEMENT_IDS[key] ?? `Fleetline${key.replace(/[^A-Za-z]/g, '')}`,
      Effect: 'Allow',
      Action: actions,
      Resource: Array.isArray(resources) && resources.length === 1 ? resources[0]! : resources,
    };
  });
  return { Version: '2012-10-17', Statement };
}

/** Every action a policy allows (for tests and the UI). */
export function policyActions(policy: PolicyDocument): string[] {
  return policy.Statement.flatMap((s) => s.Action);
}

/** Lets Fleetline's AWS account assume the role, only with this integration's External ID. */
export function trustPolicy(platformAccountId: string, externalId: string, partition: 'aws' | 'aws-cn' | 'aws-us-gov' = 'aws') {
  return {
    Version: '2012-10-17' as const,
    Statement: [
      {
        Sid: 'FleetlineAssumeRole',
        Effect: 'Allow' as const,
        Principal: { AWS: `arn:${partition}:iam::${platformAccountId}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}

/** A CloudFormation template (JSON) that creates the role with both policies and outputs its ARN. */
export function cloudFormationTemplate(platformAccountId: string, externalId: string, scope: PolicyScope = {}) {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'IAM role that lets Fleetline read and operate your AWS IoT fleet (least privilege, External ID required).',
    Parameters: {
      RoleName: { Type: 'String', Default: 'FleetlineAccess', Description: 'Name of the IAM role to create.' },
    },
    Resources: {
      FleetlineAccessRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          Description: 'Assumed by Fleetline with an External ID.',
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trustPolicy(platformAccountId, externalId, partitionFor(scope.region)),
          Policies: [{ PolicyName: 'FleetlineAccess', PolicyDocument: permissionPolicy(scope) }],
        },
      },
    },
    Outputs: {
      RoleArn: { Description: 'Paste this ARN into the Fleetline wizard.', Value: { 'Fn::GetAtt': ['FleetlineAccessRole', 'Arn'] } },
    },
  };
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
