import type { TopicRulePayload } from '@aws-sdk/client-iot';
import { INGEST_SECRET_HEADER } from './secret';

/**
 * The two IoT rules and the destination live data needs, as Fleetline creates them and as the
 * snippets for a hand set-up show them. Pure (type-only SDK import).
 */
export const DEFAULT_TOPIC_FILTER = 'dt/+/telemetry';
export const PRESENCE_TOPIC = '$aws/events/presence/+/+';
export const SECRET_PLACEHOLDER = '<INGEST_SECRET>';

/** Rule names allow [A-Za-z0-9_]; the policy scopes the rule actions to `fleetline_*`. */
export function ruleNames(integrationId: string): { telemetry: string; presence: string } {
  const id = integrationId.replace(/-/g, '');
  return { telemetry: `fleetline_${id}_telemetry`, presence: `fleetline_${id}_presence` };
}

/** The thing name is the topic's second level (dt/<thing>/telemetry); ts is the rules engine's receive time. */
export function telemetrySql(topicFilter: string): string {
  return `SELECT *, topic(2) AS thing, timestamp() AS ts FROM '${topicFilter.replace(/'/g, '')}'`;
}

export const PRESENCE_SQL = `SELECT * FROM '${PRESENCE_TOPIC}'`;

export function rulePayload(kind: 'telemetry' | 'presence', opts: { ingestUrl: string; secret: string; topicFilter: string }): TopicRulePayload {
  return {
    sql: kind === 'telemetry' ? telemetrySql(opts.topicFilter) : PRESENCE_SQL,
    awsIotSqlVersion: '2016-03-23',
    ruleDisabled: false,
    description: kind === 'telemetry' ? 'Fleetline live data: device telemetry' : 'Fleetline live data: connect and disconnect events',
    actions: [
      {
        http: {
          url: opts.ingestUrl,
          confirmationUrl: opts.ingestUrl,
          headers: [{ key: INGEST_SECRET_HEADER, value: opts.secret }],
          // AWS's limits for a batched HTTP action, which the ingest accepts as a JSON array.
          enableBatching: true,
          batchConfig: { maxBatchSize: 10, maxBatchSizeBytes: 128 * 1024, maxBatchOpenMs: 200 },
        },
      },
    ],
  };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** AWS CLI commands for an account where Fleetline may not manage rules itself. */
export function cliSnippet(opts: { integrationId: string; ingestUrl: string; topicFilter: string; region: string; secret?: string }): string {
  const names = ruleNames(opts.integrationId);
  const secret = opts.secret ?? SECRET_PLACEHOLDER;
  const payload = (kind: 'telemetry' | 'presence') => shellQuote(JSON.stringify(rulePayload(kind, { ...opts, secret })));
  return [
    `aws iot create-topic-rule-destination --region ${opts.region} \\`,
    `  --destination-configuration ${shellQuote(JSON.stringify({ httpUrlConfiguration: { confirmationUrl: opts.ingestUrl } }))}`,
    '# Fleetline confirms the destination itself when AWS calls it; then create the rules:',
    `aws iot create-topic-rule --region ${opts.region} --rule-name ${names.telemetry} \\`,
    `  --topic-rule-payload ${payload('telemetry')}`,
    `aws iot create-topic-rule --region ${opts.region} --rule-name ${names.presence} \\`,
    `  --topic-rule-payload ${payload('presence')}`,
  ].join('\n');
}

/** The same as a CloudFormation template (JSON): the destination and both rules. */
export function cloudFormationSnippet(opts: { integrationId: string; ingestUrl: string; topicFilter: string; secret?: string }) {
  const names = ruleNames(opts.integrationId);
  const secret = opts.secret ?? SECRET_PLACEHOLDER;
  const rule = (kind: 'telemetry' | 'presence') => {
    const p = rulePayload(kind, { ...opts, secret });
    const http = p.actions![0]!.http!;
    return {
      Type: 'AWS::IoT::TopicRule',
      DependsOn: 'FleetlineDestination',
      Properties: {
        RuleName: names[kind],
        TopicRulePayload: {
          Sql: p.sql,
          AwsIotSqlVersion: p.awsIotSqlVersion,
          RuleDisabled: false,
          Actions: [
            {
              Http: {
                Url: http.url,
                ConfirmationUrl: http.confirmationUrl,
                Headers: http.headers!.map((h) => ({ Key: h.key, Value: h.value })),
                EnableBatching: true,
                BatchConfig: { MaxBatchSize: 10, MaxBatchSizeBytes: 131072, MaxBatchOpenMs: 200 },
              },
            },
          ],
        },
      },
    };
  };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Fleetline live data: a topic rule destination and the telemetry and presence rules.',
    Resources: {
      FleetlineDestination: {
        Type: 'AWS::IoT::TopicRuleDestination',
        Properties: { HttpUrlProperties: { ConfirmationUrl: opts.ingestUrl }, Status: 'ENABLED' },
      },
      FleetlineTelemetryRule: rule('telemetry'),
      FleetlinePresenceRule: rule('presence'),
    },
  };
}
