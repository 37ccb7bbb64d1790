import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AWS_CALLS, callFor } from './aws-calls';
import { CHECKS } from './capabilities';
import { cloudFormationTemplate, partitionFor, permissionPolicy, policyActions, trustPolicy } from './policies';

const SRC = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.ts$/.test(name) ? [full] : [];
  });
}

/** The AWS operations code under src/ sends to customers' accounts (commands and paginators). */
function operationsUsedInSource(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const importRe = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-(iot|iot-data-plane|timestream-query)'/g;
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(importRe)) {
      for (const raw of match[1]!.split(',')) {
        const name = raw.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!;
        const op = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (op) used.set(op, [...(used.get(op) ?? []), path.relative(SRC, file)]);
      }
    }
  }
  return used;
}

describe('the permission policy', () => {
  it('allows exactly the actions of the call catalogue, each once, without wildcards', () => {
    const actions = policyActions(permissionPolicy());
    expect(new Set(actions).size).toBe(actions.length);
    expect([...actions].sort()).toEqual([...new Set(AWS_CALLS.map((c) => c.action))].sort());
    expect(actions.some((a) => a.includes('*'))).toBe(false);
  });

  it('covers every AWS command the code under src/ sends', () => {
    const used = operationsUsedInSource();
    expect(used.size).toBeGreaterThan(0);
    const missing = [...used.entries()].filter(([op]) => !callFor(op)).map(([op, files]) => `${op} (${files.join(', ')})`);
    expect(missing, 'add these calls to src/features/integrations/aws-calls.ts').toEqual([]);
  });

  it('grants account-wide resources only to actions that support no resource-level permissions', () => {
    const policy = permissionPolicy();
    const wide = policy.Statement.filter((s) => s.Resource === '*').flatMap((s) => s.Action);
    expect(wide.sort()).toEqual(AWS_CALLS.filter((c) => (c.resources as readonly string[]).includes('none')).map((c) => c.action).sort());
    const shadows = policy.Statement.find((s) => s.Action.includes('iot:GetThingShadow'))!;
    expect(shadows.Resource).toBe('arn:aws:iot:*:*:thing/*');
  });

  it('narrows resources to the region, account and Timestream table when known', () => {
    const policy = permissionPolicy({ region: 'eu-west-1', accountId: '123456789012', timestreamDatabase: 'fleet', timestreamTable: 'telemetry' });
    const select = policy.Statement.find((s) => s.Action.includes('timestream:Select'))!;
    expect(select.Resource).toBe('arn:aws:timestream:eu-west-1:123456789012:database/fleet/table/telemetry');
    const createJob = policy.Statement.find((s) => s.Action.includes('iot:CreateJob'))!;
    expect(createJob.Resource).toEqual(expect.arrayContaining(['arn:aws:iot:eu-west-1:123456789012:job/*', 'arn:aws:iot:eu-west-1:123456789012:thinggroup/*']));
    expect(JSON.stringify(permissionPolicy({ region: 'cn-north-1' }))).toContain('arn:aws-cn:iot:cn-north-1:');
    expect(partitionFor('us-gov-west-1')).toBe('aws-us-gov');
  });

  it('lists the same actions the wizard’s check lines name', () => {
    expect(CHECKS.flatMap((c) => c.actions).sort()).toEqual(AWS_CALLS.map((c) => c.action).sort());
  });
});

describe('the trust policy and the CloudFormation template', () => {
  const externalId = 'fl-abcdefghijklmnopqrstuvwx';

  it('trusts only Fleetline’s account, and only with the External ID', () => {
    expect(trustPolicy('111122223333', externalId)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'FleetlineAssumeRole',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': externalId } },
        },
      ],
    });
  });

  it('creates one IAM role holding both documents and outputs its ARN', () => {
    const template = cloudFormationTemplate('111122223333', externalId);
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    const role = template.Resources.FleetlineAccessRole;
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.AssumeRolePolicyDocument).toEqual(trustPolicy('111122223333', externalId));
    expect(role.Properties.Policies[0]!.PolicyDocument).toEqual(permissionPolicy());
    expect(template.Outputs.RoleArn.Value).toEqual({ 'Fn::GetAtt': ['FleetlineAccessRole', 'Arn'] });
    expect(JSON.parse(JSON.stringify(template))).toEqual(template);
  });
});
